import { isSuspendedAt } from "../../../src/chain/keyState/applyRegistryGlobalEvent.ts";
import type { IndexedKey } from "../indexer/index.ts";

export type KeyStatus = "active" | "not-yet-valid" | "expired" | "revoked" | "suspended";

export type KeyStatusAtReturnType = {
  status: KeyStatus;
  /** Valid now and ending within `soon` seconds. */
  expiresSoon: boolean;
  /** Rotated out but still valid: both versions work until the overlap ends. */
  inOverlap: boolean;
};

/** Seven days: long enough to notice a key running out and rotate it calmly. */
export const expiresSoonSeconds = 7 * 86_400;

/**
 * What a verifier would say about the key at chain time `now`, in the same order as
 * `keyStatus`. A guardian's suspension is bounded: after `suspendedUntil` the key is judged as active.
 */
export function keyStatusAt(
  key: Pick<IndexedKey, "state" | "notBefore" | "expiresAt" | "rotated"> & { suspendedUntil?: number | undefined },
  now: number,
  soon = expiresSoonSeconds,
): KeyStatusAtReturnType {
  if (key.state === "revoked") return { status: "revoked", expiresSoon: false, inOverlap: false };
  if (key.state === "suspended" && (key.suspendedUntil === undefined || isSuspendedAt({ state: key.state, suspendedUntil: key.suspendedUntil }, now))) {
    return { status: "suspended", expiresSoon: false, inOverlap: false };
  }
  if (now < key.notBefore) return { status: "not-yet-valid", expiresSoon: false, inOverlap: false };
  if (now >= key.expiresAt) return { status: "expired", expiresSoon: false, inOverlap: false };
  return { status: "active", expiresSoon: key.expiresAt - now <= soon, inOverlap: key.rotated };
}
