import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { applyRegistryEvent, type KeyStateRecord, type RegistryKeyEvent } from "../../src/chain/keyState/index.ts";

const A = `0x${"AA".repeat(32)}` as Hex;
const B = `0x${"bb".repeat(32)}` as Hex;
const owner = "0x1111111111111111111111111111111111111111";

function run(events: RegistryKeyEvent[]) {
  const state = new Map<Hex, KeyStateRecord>();
  const created = new Map<Hex, unknown>();
  for (const event of events) {
    for (const change of applyRegistryEvent({ event, get: (id) => state.get(id) })) {
      state.set(change.keyId, change.next);
      if (change.created) created.set(change.keyId, change.created);
    }
  }
  return { state, created };
}

const registered: RegistryKeyEvent = {
  eventName: "KeyRegistered",
  args: { keyId: A, owner, algorithm: 1, scopes: 3, notBefore: 10, expiresAt: 100, label: "ci", publicKey: "0x01", proof: "0x02" },
};

describe("applyRegistryEvent", () => {
  it("registers, rotates (label and lineage carried, old expiry set), suspends, unsuspends and revokes", () => {
    const { state, created } = run([
      registered,
      {
        eventName: "KeyRotated",
        args: { oldKeyId: A, newKeyId: B, owner, version: 2, algorithm: 1, scopes: 1, notBefore: 50, expiresAt: 200, oldExpiresAt: 60, publicKey: "0x03", proof: "0x04" },
      },
      { eventName: "KeySuspended", args: { keyId: B, guardian: owner, reason: "leak?" } },
      { eventName: "OverlapExtended", args: { keyId: A, expiresAt: 70 } },
    ]);
    expect(state.get(A.toLowerCase() as Hex)).toEqual({ label: "ci", version: 1, scopes: 3, notBefore: 10, expiresAt: 70, state: "active" });
    expect(state.get(B)).toEqual({ label: "ci", version: 2, scopes: 1, notBefore: 50, expiresAt: 200, state: "suspended" });
    expect(created.get(B)).toMatchObject({ predecessor: A.toLowerCase(), publicKey: "0x03" });
    const after = run([registered, { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "" } }, { eventName: "KeyUnsuspended", args: { keyId: A, by: owner } }, { eventName: "KeyRevoked", args: { keyId: A, by: owner, reason: "done" } }]);
    expect(after.state.get(A.toLowerCase() as Hex)?.state).toBe("revoked");
  });

  it("OverlapEnded stops a key two versions behind the head at the given time", () => {
    const { state } = run([registered, { eventName: "OverlapEnded", args: { keyId: A, expiresAt: 42 } }]);
    expect(state.get(A.toLowerCase() as Hex)).toMatchObject({ expiresAt: 42, state: "active" });
  });

  it("changes nothing for a key id it never saw", () => {
    expect(applyRegistryEvent({ event: { eventName: "KeyRevoked", args: { keyId: A, by: owner, reason: "" } }, get: () => undefined })).toEqual([]);
  });
});
