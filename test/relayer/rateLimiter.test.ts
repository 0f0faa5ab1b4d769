import { describe, expect, it } from "vitest";
import { parseRelayPayload } from "../../src/chain/signedOperations/index.ts";
import { createRateLimiter, parseRateLimit } from "../../src/server/index.ts";

describe("createRateLimiter (token bucket)", () => {
  it("passes a burst of `limit`, then refills continuously and says when to retry", () => {
    let t = 1_000_000;
    const limiter = createRateLimiter({ limit: 3, windowSeconds: 60, now: () => t });
    for (let i = 0; i < 3; i++) expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(limiter.take("b")).toEqual({ ok: true });
    t += 19_000;
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
    t += 1_000;
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a").ok).toBe(false);
    limiter.refund("a");
    expect(limiter.take("a").ok).toBe(true);
    // A bucket never holds more than `limit`, however long it sat idle.
    t += 3_600_000;
    for (let i = 0; i < 3; i++) expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
  });

  it("forgets buckets that are full again", () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 1, windowSeconds: 1, now: () => t, maxKeys: 10 });
    for (let i = 0; i < 10; i++) expect(limiter.take(`k${i}`).ok).toBe(true);
    expect(limiter.size()).toBe(10);
    t += 1_000;
    // The ten old buckets are full again: the 11th key sweeps them out.
    expect(limiter.take("k10").ok).toBe(true);
    expect(limiter.size()).toBe(1);
    expect(limiter.take("k10").ok).toBe(false);
    // A forgotten key starts with a full bucket, as it would have had anyway.
    expect(limiter.take("k0").ok).toBe(true);
  });

  it("refuses nonsensical limits", () => {
    expect(() => createRateLimiter({ limit: 0, windowSeconds: 60 })).toThrow(RangeError);
    expect(() => createRateLimiter({ limit: 1, windowSeconds: 0 })).toThrow(RangeError);
  });
});

describe("parseRateLimit", () => {
  it("reads <count>/<window>", () => {
    expect(parseRateLimit("10/1m")).toEqual({ limit: 10, windowSeconds: 60 });
    expect(parseRateLimit("120/60s")).toEqual({ limit: 120, windowSeconds: 60 });
    expect(parseRateLimit("5/30")).toEqual({ limit: 5, windowSeconds: 30 });
    expect(parseRateLimit("1000/1h")).toEqual({ limit: 1000, windowSeconds: 3600 });
    for (const bad of ["", "10", "0/1m", "10/0", "x/1m", "10/1d", "-1/1m"]) expect(parseRateLimit(bad), bad).toBeUndefined();
  });
});

describe("parseRelayPayload", () => {
  const base = { owner: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", deadline: "1800000000", signature: `0x${"11".repeat(65)}` };
  const keyId = `0x${"ab".repeat(32)}`;

  it("accepts each operation's fields and normalizes uint256 values to decimal strings", () => {
    expect(parseRelayPayload({ operation: "revoke", ...base, deadline: 1_800_000_000, nonce: 0, keyId, reason: "" })).toEqual({
      ok: true,
      payload: { operation: "revoke", keyId, reason: "", owner: base.owner, deadline: "1800000000", nonce: "0", signature: base.signature },
    });
    expect(parseRelayPayload({ operation: "extendOverlap", ...base, keyId, expiresAt: 1_800_000_000 }).ok).toBe(true);
    expect(parseRelayPayload({ operation: "setRotator", ...base, rotator: "0x0000000000000000000000000000000000000000" }).ok).toBe(true);
    const key = { algorithm: 2, publicKey: `0x02${"11".repeat(32)}`, scopes: 3, notBefore: 1, expiresAt: 2, proof: `0x${"22".repeat(64)}` };
    expect(parseRelayPayload({ operation: "rotate", ...base, oldKeyId: keyId, key, overlap: 3600, chainId: 31337 }).ok).toBe(true);
    expect(parseRelayPayload({ operation: "register", ...base, key, label: "bot" }).ok).toBe(true);
  });

  it("names the problem and the field", () => {
    expect(parseRelayPayload(null)).toMatchObject({ ok: false, error: "invalid-body" });
    expect(parseRelayPayload({ operation: "mint", ...base })).toMatchObject({ ok: false, error: "unknown-operation", field: "operation" });
    expect(parseRelayPayload({ operation: "revoke", ...base, keyId })).toMatchObject({ ok: false, error: "missing-field", field: "reason" });
    expect(parseRelayPayload({ operation: "revoke", ...base, keyId, reason: "x", to: "y" })).toMatchObject({ ok: false, error: "unknown-field", field: "to" });
    expect(parseRelayPayload({ operation: "revoke", ...base, keyId: "0x12", reason: "x" })).toMatchObject({ ok: false, error: "invalid-field", field: "keyId" });
    expect(parseRelayPayload({ operation: "extendOverlap", ...base, keyId, expiresAt: 1.5 })).toMatchObject({ ok: false, error: "invalid-field", field: "expiresAt" });
    expect(parseRelayPayload({ operation: "setRotator", ...base, rotator: "0x7099797 0C51812dc3A010C7d01b50e0d17dc79C8" })).toMatchObject({ field: "rotator" });
    expect(parseRelayPayload({ operation: "setRotator", ...base, nonce: "01", rotator: base.owner })).toMatchObject({ error: "invalid-field", field: "nonce" });
  });
});
