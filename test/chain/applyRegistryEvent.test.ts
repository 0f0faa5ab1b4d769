import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  applyRegistryEvent,
  applyRegistryGlobalEvent,
  effectiveKeyState,
  initialRegistryGlobals,
  isOwnerRevoked,
  isSuspendedAt,
  type KeyStateRecord,
  policyProblem,
  type RegistryKeyEvent,
} from "../../src/chain/keyState/index.ts";

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
  it("revocation is final: a later KeySuspended (the registry's suspend skips the owner check) changes nothing; KeyReleased only marks the head released", () => {
    const revoked = { eventName: "KeyRevoked", args: { keyId: A, by: owner, reason: "done" } } as const;
    const { state } = run([
      registered,
      revoked,
      { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "late", until: 500 } },
      { eventName: "KeyReleased", args: { keyId: A, owner, by: owner } },
    ]);
    expect(state.get(A.toLowerCase() as Hex)).toEqual({ label: "ci", version: 1, scopes: 3, notBefore: 10, expiresAt: 100, state: "revoked", suspendedUntil: 0, released: true });
  });

  it("effectiveKeyState: the owner's revocation wins over the key's own events, a revocation is final, a lapsed suspension reads active", () => {
    const suspended = { state: "suspended", suspendedUntil: 80 } as const;
    expect(effectiveKeyState({ record: suspended, ownerRevoked: true, now: 10 })).toBe("revoked");
    expect(effectiveKeyState({ record: { state: "active", suspendedUntil: 0 }, ownerRevoked: true })).toBe("revoked");
    expect(effectiveKeyState({ record: { state: "revoked", suspendedUntil: 80 }, ownerRevoked: false, now: 100 })).toBe("revoked");
    expect(effectiveKeyState({ record: suspended, ownerRevoked: false, now: 79 })).toBe("suspended");
    expect(effectiveKeyState({ record: suspended, ownerRevoked: false, now: 80 })).toBe("active");
    // Without a time, a suspension is taken as running.
    expect(effectiveKeyState({ record: suspended, ownerRevoked: false })).toBe("suspended");
  });

  it("registers, rotates (label and lineage carried, old expiry set), suspends, unsuspends and revokes", () => {
    const { state, created } = run([
      registered,
      {
        eventName: "KeyRotated",
        args: { oldKeyId: A, newKeyId: B, owner, by: owner, version: 2, algorithm: 1, scopes: 1, notBefore: 50, expiresAt: 200, oldExpiresAt: 60, publicKey: "0x03", proof: "0x04" },
      },
      { eventName: "KeySuspended", args: { keyId: B, guardian: owner, reason: "leak?", until: 500 } },
      { eventName: "OverlapExtended", args: { keyId: A, expiresAt: 70 } },
    ]);
    expect(state.get(A.toLowerCase() as Hex)).toEqual({ label: "ci", version: 1, scopes: 3, notBefore: 10, expiresAt: 70, state: "active", suspendedUntil: 0 });
    expect(state.get(B)).toEqual({ label: "ci", version: 2, scopes: 1, notBefore: 50, expiresAt: 200, state: "suspended", suspendedUntil: 500 });
    expect(created.get(B)).toMatchObject({ predecessor: A.toLowerCase(), publicKey: "0x03" });
    const after = run([registered, { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "", until: 99 } }, { eventName: "KeyUnsuspended", args: { keyId: A, by: owner } }, { eventName: "KeyRevoked", args: { keyId: A, by: owner, reason: "done" } }]);
    expect(after.state.get(A.toLowerCase() as Hex)?.state).toBe("revoked");
  });

  it("bounds a suspension: until from KeySuspended, moved by SuspensionExtended, cleared by KeyUnsuspended (registry v2)", () => {
    const suspended = run([registered, { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "", until: 80 } }]).state.get(A.toLowerCase() as Hex)!;
    expect(suspended).toMatchObject({ state: "suspended", suspendedUntil: 80 });
    expect(isSuspendedAt(suspended, 79)).toBe(true);
    // Lapsed at its bound: usable again, as keyStatus says, without any event.
    expect(isSuspendedAt(suspended, 80)).toBe(false);
    const extended = run([
      registered,
      { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "", until: 80 } },
      { eventName: "SuspensionExtended", args: { keyId: A, until: 200 } },
    ]).state.get(A.toLowerCase() as Hex)!;
    expect(isSuspendedAt(extended, 150)).toBe(true);
    const lifted = run([
      registered,
      { eventName: "KeySuspended", args: { keyId: A, guardian: owner, reason: "", until: 80 } },
      { eventName: "KeyUnsuspended", args: { keyId: A, by: owner } },
    ]).state.get(A.toLowerCase() as Hex)!;
    expect(lifted).toMatchObject({ state: "active", suspendedUntil: 0 });
  });

  it("OverlapEnded stops a key two versions behind the head at the given time", () => {
    const { state } = run([registered, { eventName: "OverlapEnded", args: { keyId: A, expiresAt: 42 } }]);
    expect(state.get(A.toLowerCase() as Hex)).toMatchObject({ expiresAt: 42, state: "active" });
  });

  it("changes nothing for a key id it never saw", () => {
    expect(applyRegistryEvent({ event: { eventName: "KeyRevoked", args: { keyId: A, by: owner, reason: "" } }, get: () => undefined })).toEqual([]);
  });
});

describe("applyRegistryGlobalEvent and policyProblem (issue 9)", () => {
  const policy = { maxLifetime: 100, maxOverlap: 10, maxSuspension: 5, maxKeysPerOwner: 3, allowedAlgorithms: 0b0100, allowedScopes: 0b0011 };
  it("PolicyUpdated sets the live policy; ScopeNamed names a bit; an unchanged name keeps the same globals", () => {
    const g1 = applyRegistryGlobalEvent({ event: { eventName: "PolicyUpdated", args: policy }, globals: initialRegistryGlobals });
    expect(g1.policy).toEqual(policy);
    expect(initialRegistryGlobals.policy).toBeUndefined();
    const g2 = applyRegistryGlobalEvent({ event: { eventName: "ScopeNamed", args: { bit: 2, name: "withdraw" } }, globals: g1 });
    expect(g2.scopeNames[2]).toBe("withdraw");
    expect(g2.policy).toBe(g1.policy);
    expect(applyRegistryGlobalEvent({ event: { eventName: "ScopeNamed", args: { bit: 2, name: "withdraw" } }, globals: g2 })).toBe(g2);
    expect(applyRegistryGlobalEvent({ event: { eventName: "ScopeNamed", args: { bit: 9, name: "x" } }, globals: g2 })).toBe(g2);
  });

  it("OwnerRevoked revokes every key the owner's address prefixes, once", () => {
    const event = { eventName: "OwnerRevoked", args: { owner: "0xAAaAaAaaAaAaAaaAaAAAAAAAAaaaAaAaAaaAaaAa", by: owner, reason: "fraud" } } as const;
    const g1 = applyRegistryGlobalEvent({ event, globals: initialRegistryGlobals });
    expect(g1.revokedOwners).toEqual(["0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(applyRegistryGlobalEvent({ event, globals: g1 })).toBe(g1);
    expect(isOwnerRevoked(g1, A)).toBe(true);
    expect(isOwnerRevoked(g1, B)).toBe(false);
  });

  it("judges algorithm, every scope bit and the lifetime against the current policy, as keyStatus's NotAllowed", () => {
    const key = { algorithm: 1, scopes: 0b0001, notBefore: 0, expiresAt: 100 };
    expect(policyProblem(undefined, key)).toBeUndefined();
    expect(policyProblem(policy, key)).toMatch(/algorithm 1/);
    expect(policyProblem(policy, { ...key, algorithm: 2 })).toBeUndefined();
    expect(policyProblem(policy, { ...key, algorithm: 2, scopes: 0b1001 })).toMatch(/scope bits 0x08/);
    expect(policyProblem(policy, { ...key, algorithm: 2, expiresAt: 101 })).toMatch(/lifetime 101 s exceeds the policy's maximum 100 s/);
  });
});
