/**
 * "stored": first sighting, now recorded. "replayed": already recorded.
 * "full": a bounded store has no room without forgetting a live nonce.
 * "unavailable": the backing service did not answer. The verifier rejects the
 * last two with `nonce-store-unavailable` (fail closed).
 */
export type NonceResult = "stored" | "replayed" | "full" | "unavailable";

export type NonceStore = {
  /** Atomically records (keyId, nonce) unless present; it may be forgotten after `expiresAtMs`. */
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): NonceResult | Promise<NonceResult>;
  close?(): Promise<void>;
};
