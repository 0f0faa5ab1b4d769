// Issue 10 items 3-5 and the per-route replay policy, through createVerifier:
// integer timestamps on both parse paths, WHATWG Request bodies (stream errors,
// a size limit), small-order Ed25519 keys from any resolver, "window-only".
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/signer/index.ts";
import { bytesToBase64Url } from "../../src/keys/index.ts";
import { createVerifier, InvalidVerifierOptionError, staticKeyResolver, VerifierDependencyError } from "../../src/verifier/index.ts";
import { keyOf, NOW, type Plain, T, verifierFor } from "./helpers.ts";

const key = await keyOf("ed25519", "rules-bot");
const get: Plain = { method: "GET", url: "https://api.example.com/v1/prices?pair=ETH-USD", headers: {} };
const post: Plain = { method: "POST", url: "https://api.example.com/v1/orders", headers: { "content-type": "application/json" }, body: '{"side":"buy"}' };
const sign = (request: Plain, options: Parameters<typeof signRequest>[1] extends infer O ? Partial<O> : never = {}) =>
  signRequest(request, { key, created: T, ...options }) as Promise<Plain>;
const standard = (options = {}) => verifierFor({ k: { key, scopes: ["read"] } }, options);
const withInput = (signed: Plain, input: string): Plain => ({ ...signed, headers: { ...signed.headers, "signature-input": input } });

describe("created / expires must be integers", () => {
  it("a decimal created or expires is malformed on the full-parse path", async () => {
    const v = standard();
    const signed = await sign(get);
    const input = signed.headers["signature-input"]!;
    expect(input).toContain(`;created=${T};`);
    for (const decimal of [`;created=${T}.0;`, `;created=${T}.5;`, `;created= ${T}.0;`]) {
      expect(await v.verify(withInput(signed, input.replace(`;created=${T};`, decimal)))).toMatchObject({ ok: false, reason: "malformed" });
    }
    const expiring = await sign(get, { expires: T + 30 });
    const expiringInput = expiring.headers["signature-input"]!;
    expect(await v.verify(withInput(expiring, expiringInput.replace(`expires=${T + 30}`, `expires=${T + 30}.0`)))).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    // The same request with integers verifies (the check is not over-broad).
    expect(await v.verify(expiring)).toMatchObject({ ok: true });
  });

  it("a decimal created is malformed on the template path too (after the signer's prefix is remembered)", async () => {
    const v = standard();
    expect(await v.verify(await sign(get))).toMatchObject({ ok: true });
    expect(await v.verify(await sign(get))).toMatchObject({ ok: true });
    const next = await sign(get);
    const decimal = withInput(next, next.headers["signature-input"]!.replace(`;created=${T};`, `;created=${T}.0;`));
    expect(await v.verify(decimal)).toMatchObject({ ok: false, reason: "malformed", message: expect.stringMatching(/integers/) });
  });

  it("a nonce or label text that merely looks like a decimal created is not refused", async () => {
    const v = standard();
    const signed = await sign(get, { nonce: `x;created=${T}.0` });
    expect(await v.verify(signed)).toMatchObject({ ok: true });
  });
});

describe("WHATWG Request bodies", () => {
  function erroringRequest(signed: Plain): Request {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"si'));
        controller.error(new Error("client aborted mid-body"));
      },
    });
    return new Request(signed.url, { method: "POST", headers: signed.headers, body, duplex: "half" } as RequestInit);
  }

  it("a body stream that errors gives a malformed result, not a throw", async () => {
    const v = standard();
    const signed = await sign(post);
    await expect(v.verify(erroringRequest(signed))).resolves.toMatchObject({
      ok: false,
      reason: "malformed",
      message: expect.stringMatching(/could not be read.*client aborted mid-body/),
    });
  });

  it("a body over maxBodyBytes is refused after reading at most about the limit", async () => {
    const v = standard({ maxBodyBytes: 1024 });
    const signed = await sign(post);
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(signed.url, { method: "POST", headers: signed.headers, body, duplex: "half" } as RequestInit);
    expect(await v.verify(request)).toMatchObject({ ok: false, reason: "malformed", message: expect.stringMatching(/exceeds 1024 bytes/) });
    // Streams may read ahead a few chunks; nothing near 64 MB is read.
    expect(pulled).toBeLessThan(1024 * 1024);
    // A declared Content-Length over the limit is refused before any read.
    const declared = new Request(signed.url, { method: "POST", headers: { ...signed.headers, "content-length": "5000" }, body: "x".repeat(5000) });
    expect(await v.verify(declared)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("an honest Request body within the limit verifies", async () => {
    const v = standard();
    const signed = await sign(post);
    expect(await v.verify(new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }))).toMatchObject({ ok: true });
  });

  it("maxBodyBytes is validated", () => {
    expect(() => standard({ maxBodyBytes: -1 })).toThrow(InvalidVerifierOptionError);
    expect(() => standard({ maxBodyBytes: 1.5 })).toThrow(InvalidVerifierOptionError);
  });
});

describe("small-order Ed25519 keys", () => {
  // The identity point: with it, R = identity and S = 0 "verify" any message.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const forged = `sig=:${Buffer.concat([Buffer.from(identity), Buffer.alloc(32)]).toString("base64")}:`;

  it("staticKeyResolver refuses them", () => {
    expect(() => staticKeyResolver({ weak: { alg: "ed25519", publicKey: identity } })).toThrow(/small-order/);
  });

  it("a key from a custom resolver is checked too: the constant forgery is never accepted", async () => {
    const weak = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bytesToBase64Url(identity) }, format: "jwk" });
    const v = createVerifier({
      keys: { resolve: () => ({ status: "found", key: { keyId: "weak", alg: "ed25519", publicKey: weak, scopes: ["read"], state: "active", proofOfPossession: "not-applicable" } }) },
      now: () => NOW,
    });
    const signed = await sign(get);
    const request = { ...signed, headers: { ...signed.headers, signature: forged } };
    await expect(v.verify(request)).rejects.toThrow(VerifierDependencyError);
  });
});

describe('per-route replay policy: nonce "required" | "window-only"', () => {
  it('"required" (default) refuses a replay and a signature without a nonce', async () => {
    const v = standard();
    const signed = await sign(get);
    expect(await v.verify(signed)).toMatchObject({ ok: true });
    expect(await v.verify(signed)).toMatchObject({ ok: false, reason: "replayed-nonce" });
    const input = signed.headers["signature-input"]!.replace(/;nonce="[^"]*"/, "");
    expect(await v.verify(withInput(signed, input))).toMatchObject({ ok: false, reason: "missing-nonce" });
  });

  it('"window-only" accepts a repeat inside the window, without touching the nonce store, and not after it', async () => {
    let calls = 0;
    let now = NOW;
    const v = standard({ nonces: { checkAndStore: () => (calls++, "stored" as const) }, now: () => now });
    const signed = await sign(get);
    expect(await v.verify(signed, { nonce: "window-only" })).toMatchObject({ ok: true });
    expect(await v.verify(signed, { nonce: "window-only" })).toMatchObject({ ok: true });
    expect(calls).toBe(0);
    // The same request on a "required" route of the same verifier is still single-use.
    expect(await v.verify(signed)).toMatchObject({ ok: true });
    expect(calls).toBe(1);
    now = NOW + 66_000;
    expect(await v.verify(signed, { nonce: "window-only" })).toMatchObject({ ok: false, reason: "expired-request" });
  });

  it("the verifier-wide default can be window-only, and bad modes are refused", async () => {
    const v = standard({ nonce: "window-only" });
    const signed = await sign(get);
    expect(await v.verify(signed)).toMatchObject({ ok: true });
    expect(await v.verify(signed)).toMatchObject({ ok: true });
    expect(await v.verify(signed, { nonce: "required" })).toMatchObject({ ok: true });
    expect(await v.verify(signed, { nonce: "required" })).toMatchObject({ ok: false, reason: "replayed-nonce" });
    expect(() => standard({ nonce: "sometimes" })).toThrow(InvalidVerifierOptionError);
    await expect(v.verify(signed, { nonce: "sometimes" as never })).rejects.toThrow(/window-only/);
  });
});

describe("failures name the key only once it was found", () => {
  it("bad-signature, replayed-nonce and insufficient-scope carry keyId; unknown-key and malformed do not", async () => {
    const v = standard();
    const signed = await sign(get);
    expect(await v.verify(signed)).toMatchObject({ ok: true });
    expect(await v.verify(signed)).toEqual(expect.objectContaining({ ok: false, reason: "replayed-nonce", keyId: key.keyId }));
    const forged = await sign(get);
    const sig = forged.headers.signature!;
    const flipped = { ...forged, headers: { ...forged.headers, signature: sig.replace(/:(.)/, (_m, c: string) => `:${c === "A" ? "B" : "A"}`) } };
    expect(await v.verify(flipped)).toEqual(expect.objectContaining({ reason: "bad-signature", keyId: key.keyId }));
    expect(await v.verify(await sign(post), { requiredScopes: ["trade"] })).toEqual(expect.objectContaining({ reason: "insufficient-scope", keyId: key.keyId }));
    const other = await keyOf("ed25519", "stranger");
    const unknown = await v.verify((await signRequest(get, { key: other, created: T })) as Plain);
    expect(unknown).toMatchObject({ reason: "unknown-key" });
    expect(unknown).not.toHaveProperty("keyId");
    expect(await v.verify(withInput(signed, "garbage"))).not.toHaveProperty("keyId");
  });
});
