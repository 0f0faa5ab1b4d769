const reasons: Record<string, string> = {
  malformed: "The signature headers are malformed.",
  "missing-signature": "The request carries no KeyLedger signature.",
  "unsupported-alg": "The request names an algorithm the profile does not support, or not the key's registered one.",
  "unknown-key": "No key with this id is registered.",
  "bad-signature": "The signature does not match the request and the registered public key.",
  "digest-mismatch": "The body does not match its Content-Digest.",
  "expired-request": "The signature is too old (past its max age or its expires).",
  "future-request": "The signature was created in the future (beyond the allowed clock skew).",
  "missing-nonce": "The signature has no nonce, which the profile requires.",
  "replayed-nonce": "This nonce was already used: the request is a replay.",
  "key-not-yet-valid": "The key's validity window has not started yet.",
  "key-expired": "The key's validity window is over.",
  "key-revoked": "The key was revoked.",
  "key-suspended": "A guardian suspended the key; only the DAO can lift it.",
  "insufficient-scope": "The key lacks a scope this route needs.",
  "invalid-proof-of-possession": "The key's proof of possession does not verify, so it is not trusted.",
  "stale-chain-state": "The verifier has not heard from the chain recently and fails closed.",
  "nonce-store-unavailable": "The nonce store is full or unreachable; the verifier fails closed.",
};

/** The verifier's machine-readable rejection reason in words. */
export function verdictReason(reason: string): string {
  return reasons[reason] ?? `Rejected: ${reason}.`;
}
