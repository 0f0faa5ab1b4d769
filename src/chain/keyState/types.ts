import type { Address, GetEventArgs, Hex } from "viem";
import type { keyRegistryAbi } from "../../generated/abis.ts";

/** Registry events that change a key's state; `applyRegistryEvent` has one case for each. */
export const keyEventNames = [
  "KeyRegistered",
  "KeyRotated",
  "OverlapExtended",
  "OverlapEnded",
  "KeyRevoked",
  "KeySuspended",
  "SuspensionExtended",
  "KeyUnsuspended",
  "KeyReleased",
] as const;
export type KeyEventName = (typeof keyEventNames)[number];

/** A decoded registry event (viem's `decodeEventLog`/`getLogs` and Ponder's `event` both have this shape). */
export type RegistryKeyEvent = {
  [N in KeyEventName]: { eventName: N; args: GetEventArgs<typeof keyRegistryAbi, N, { EnableUnion: false; IndexedOnly: false; Required: true }> };
}[KeyEventName];

/**
 * "active" | "suspended" | "revoked": what the registry's events say, before time
 * windows apply. A "suspended" key whose `suspendedUntil` has passed is usable again
 * (the suspension lapsed); judge with `isSuspendedAt`.
 */
export type KeyLifecycleState = "active" | "suspended" | "revoked";

/**
 * What registry events change about a key. The verifier's index and the indexer's
 * `keys` table both hold (at least) these fields, so one reducer serves both.
 */
export type KeyStateRecord = {
  label: string | undefined;
  version: number;
  /** Scope bit mask. */
  scopes: number;
  /** Unix seconds. */
  notBefore: number;
  /** Unix seconds. */
  expiresAt: number;
  state: KeyLifecycleState;
  /** Unix seconds at which a guardian's suspension lapses; 0 when not suspended. */
  suspendedUntil: number;
  /**
   * A revoked lineage head whose place under the owner's cap was given back
   * (`KeyReleased`, from the permissionless `releaseKeys`); false until then. It never
   * changes whether the key is usable (it stays revoked).
   */
  released?: boolean | undefined;
};

/** What never changes for a key id: set once, by the event that created it. */
export type KeyCreation = {
  owner: Address;
  /** The registry's algorithm number (see `algorithmFromChain`). */
  algorithm: number;
  publicKey: Hex;
  proof: Hex;
  /** The key this one rotated out (its lineage continues here); undefined for a new lineage. */
  predecessor: Hex | undefined;
};

/** One key's new state after an event; `created` is set when the event created the key id. */
export type KeyStateChange = { keyId: Hex; next: KeyStateRecord; created: KeyCreation | undefined };

/** `IKeyRegistry.Policy` as `PolicyUpdated` carries it (durations in seconds). */
export type RegistryPolicy = {
  maxLifetime: number;
  maxOverlap: number;
  /** How long a guardian's suspension lasts unless the DAO extends it. */
  maxSuspension: number;
  /** Unreleased lineages an owner may hold (revoked ones count until `releaseKeys`). */
  maxKeysPerOwner: number;
  allowedAlgorithms: number;
  allowedScopes: number;
};

/** Registry events that change registry-wide facts, not one key; `applyRegistryGlobalEvent` has one case for each. */
export const globalEventNames = ["PolicyUpdated", "ScopeNamed", "OwnerRevoked"] as const;
export type GlobalEventName = (typeof globalEventNames)[number];

/** A decoded registry-wide event. */
export type RegistryGlobalEvent = {
  [N in GlobalEventName]: { eventName: N; args: GetEventArgs<typeof keyRegistryAbi, N, { EnableUnion: false; IndexedOnly: false; Required: true }> };
}[GlobalEventName];

/**
 * The registry-wide facts a key's meaning depends on: the live policy (every key is
 * judged against the CURRENT one, issue 9), the scope bits' names, and the owners
 * governance revoked (every key of theirs is revoked, with no per-key event).
 * `policy` is undefined until the first `PolicyUpdated` (the constructor emits one).
 */
export type RegistryGlobals = {
  policy: RegistryPolicy | undefined;
  scopeNames: readonly string[];
  /** Lower-case addresses, in the order they were revoked. */
  revokedOwners: readonly string[];
};

/** What `policyProblem` judges: the fields of a key the policy bounds. */
export type PolicyJudgedKey = { algorithm: number; scopes: number; notBefore: number; expiresAt: number };
