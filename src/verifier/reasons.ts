/**
 * Every rejection reason, with the HTTP status the adapters answer and a
 * description for docs, the CLI, the server and the dApp. 503 means "we cannot
 * tell right now" (fail closed); 403 means "authenticated, not allowed".
 */
export const verifierReasons = {
  malformed: { status: 401, description: "The signature headers, a covered component or the request itself could not be parsed, or the signature does not cover what the profile requires." },
  "missing-signature": { status: 401, description: "The request carries no Signature / Signature-Input pair." },
  "unsupported-alg": { status: 401, description: "The `alg` parameter names an algorithm outside the profile, or not the one recorded for the key." },
  "unknown-key": { status: 401, description: "No key with this keyid is known." },
  "bad-signature": { status: 401, description: "The signature does not verify over the signature base with the key's public key." },
  "digest-mismatch": { status: 401, description: "Content-Digest does not match the body (sha-256 or sha-512 required)." },
  "expired-request": { status: 401, description: "`created` is older than maxAge + skew, or `expires` has passed." },
  "future-request": { status: 401, description: "`created` is later than now + skew." },
  "missing-nonce": { status: 401, description: "The signature has no `nonce` parameter." },
  "replayed-nonce": { status: 401, description: "This key already used this nonce inside the window." },
  "key-not-yet-valid": { status: 401, description: "The key's validity window has not started." },
  "key-expired": { status: 401, description: "The key's validity window has ended." },
  "key-revoked": { status: 401, description: "The key was revoked." },
  "key-suspended": { status: 401, description: "A guardian suspended the key." },
  "key-not-allowed": { status: 401, description: "The registry's current policy no longer allows the key's algorithm, one of its scope bits, or its lifetime; valid again if the DAO widens the policy." },
  "insufficient-scope": { status: 403, description: "The key is valid but lacks a scope this route requires." },
  "invalid-proof-of-possession": { status: 401, description: "The key's registration carries an invalid proof of possession." },
  "stale-chain-state": { status: 503, description: "The key index has not heard from the chain recently enough to vouch for any key." },
  "nonce-store-unavailable": { status: 503, description: "The nonce store is full or unreachable, so a replay could not be ruled out." },
} as const satisfies Record<string, { status: 401 | 403 | 503; description: string }>;

export type VerifierReason = keyof typeof verifierReasons;

export const verifierReasonList = Object.keys(verifierReasons) as VerifierReason[];
