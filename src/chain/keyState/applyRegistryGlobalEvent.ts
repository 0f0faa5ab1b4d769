import type { PolicyJudgedKey, RegistryGlobalEvent, RegistryGlobals, RegistryPolicy } from "./types.ts";

export type ApplyRegistryGlobalEventParameters = { event: RegistryGlobalEvent; globals: RegistryGlobals };

/** The registry's globals when no event has been read (no policy, no scope names). */
export const initialRegistryGlobals: RegistryGlobals = Object.freeze({
  policy: undefined,
  scopeNames: Object.freeze(Array.from({ length: 8 }, () => "")),
  revokedOwners: Object.freeze([]),
});

/**
 * The shared reducer's half for registry-wide events (`PolicyUpdated`, `ScopeNamed`,
 * `OwnerRevoked`):
 * pure, it returns the new globals (the same object when nothing changed). Used by
 * the verifier's index and, through `policyProblem`, by anyone judging a key.
 */
export function applyRegistryGlobalEvent({ event, globals }: ApplyRegistryGlobalEventParameters): RegistryGlobals {
  switch (event.eventName) {
    case "PolicyUpdated": {
      const { maxLifetime, maxOverlap, maxSuspension, maxKeysPerOwner, allowedAlgorithms, allowedScopes } = event.args;
      return { ...globals, policy: { maxLifetime, maxOverlap, maxSuspension, maxKeysPerOwner, allowedAlgorithms, allowedScopes } };
    }
    case "ScopeNamed": {
      const { bit, name } = event.args;
      if (bit > 7 || globals.scopeNames[bit] === name) return globals;
      const scopeNames = [...globals.scopeNames];
      scopeNames[bit] = name;
      return { ...globals, scopeNames };
    }
    case "OwnerRevoked": {
      const owner = event.args.owner.toLowerCase();
      if (globals.revokedOwners.includes(owner)) return globals;
      return { ...globals, revokedOwners: Object.freeze([...globals.revokedOwners, owner]) };
    }
  }
}

/** Whether governance revoked the owner that `keyId` (a registry id: owner || tail) names. */
export function isOwnerRevoked(globals: RegistryGlobals, keyId: string): boolean {
  return globals.revokedOwners.length > 0 && globals.revokedOwners.includes(keyId.slice(0, 42).toLowerCase());
}

/**
 * Whether a key is suspended at `now` (unix seconds): its events left it suspended and
 * the suspension has not lapsed, as the registry's keyStatus judges it.
 */
export function isSuspendedAt(record: { state: string; suspendedUntil: number }, now: number): boolean {
  return record.state === "suspended" && now < record.suspendedUntil;
}

/**
 * Why the CURRENT policy does not allow `key`, or undefined when it does: the
 * same rule as the registry's `keyStatus` (`NotAllowed`): the algorithm's bit, every
 * scope bit, and the lifetime expiresAt - notBefore <= maxLifetime. Time-independent,
 * so it can be judged once per policy. No policy known: undefined (nothing to judge by).
 */
export function policyProblem(policy: RegistryPolicy | undefined, key: PolicyJudgedKey): string | undefined {
  if (!policy) return undefined;
  if (((policy.allowedAlgorithms >> key.algorithm) & 1) !== 1) return `the policy no longer allows algorithm ${key.algorithm}`;
  const banned = key.scopes & ~policy.allowedScopes & 0xff;
  if (banned !== 0) return `the policy no longer allows scope bits 0x${banned.toString(16).padStart(2, "0")}`;
  const lifetime = key.expiresAt - key.notBefore;
  if (lifetime > policy.maxLifetime) return `its lifetime ${lifetime} s exceeds the policy's maximum ${policy.maxLifetime} s`;
  return undefined;
}
