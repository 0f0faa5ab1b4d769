import type { Address, GetEventArgs, Hex } from "viem";
import type { keyRegistryAbi } from "../../generated/abis.ts";

/** Registry events that change a key's state; `applyRegistryEvent` has one case for each. */
export const keyEventNames = ["KeyRegistered", "KeyRotated", "OverlapExtended", "OverlapEnded", "KeyRevoked", "KeySuspended", "KeyUnsuspended"] as const;
export type KeyEventName = (typeof keyEventNames)[number];

/** A decoded registry event (viem's `decodeEventLog`/`getLogs` and Ponder's `event` both have this shape). */
export type RegistryKeyEvent = {
  [N in KeyEventName]: { eventName: N; args: GetEventArgs<typeof keyRegistryAbi, N, { EnableUnion: false; IndexedOnly: false; Required: true }> };
}[KeyEventName];

/** "active" | "suspended" | "revoked": what the registry says, before time windows apply. */
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
