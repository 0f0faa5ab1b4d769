import type { KeyLifecycleState } from "./types.ts";

export type EffectiveKeyStateParameters = {
  /** The key's state and suspension end as its own events left them (`KeyStateRecord`). */
  record: { state: KeyLifecycleState; suspendedUntil: number };
  /** Whether governance revoked the key's owner (`OwnerRevoked`; see `isOwnerRevoked`). */
  ownerRevoked: boolean;
  /** Unix seconds; without it a suspension is taken as running. */
  now?: number | undefined;
};

/**
 * The state a reader must show for a key, with the registry's precedence: the owner's
 * revocation wins over anything the key's own events say (the registry's `suspend`
 * does not look at the owner, so a revoked owner's key can carry a later
 * `KeySuspended`), a revocation is final, and a suspension whose end has passed reads
 * as active, as `getKey` and `keyStatus` judge it.
 */
export function effectiveKeyState({ record, ownerRevoked, now }: EffectiveKeyStateParameters): KeyLifecycleState {
  if (ownerRevoked || record.state === "revoked") return "revoked";
  if (record.state === "suspended" && now !== undefined && now >= record.suspendedUntil) return "active";
  return record.state;
}
