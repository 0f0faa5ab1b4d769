/** The operations the gas benchmark measures, in the order it prints them. */
export const gasOperations = [
  { id: "register.ed25519", label: "register (Ed25519)" },
  { id: "register.ecdsaP256", label: "register (ECDSA P-256)" },
  { id: "register.ecdsaSecp256k1", label: "register (ECDSA secp256k1)" },
  { id: "rotate", label: "rotate (Ed25519 → Ed25519)" },
  { id: "extendOverlap", label: "extendOverlap" },
  { id: "revoke", label: "revoke" },
  { id: "revokeBatch.10", label: "revokeBatch, 10 keys" },
  { id: "revokeBatch.perKey", label: "revokeBatch, per key" },
  { id: "suspend", label: "suspend (guardian)" },
  { id: "unsuspend", label: "unsuspend (governance)" },
  { id: "governanceRevoke", label: "governanceRevoke" },
] as const;

export type GasOperation = (typeof gasOperations)[number]["id"];
export type GasFigures = Record<GasOperation, number>;

/**
 * Issue 9's budgets (receipt gasUsed, 21,000 base included); issue 2's were 80,000
 * (register), 110,000 (rotate) and 40,000 (revoke). An operation over its budget fails
 * the gas test unless it has a waiver below.
 */
export const gasTargets: Partial<Record<GasOperation, number>> = {
  "register.ed25519": 65_000,
  "register.ecdsaP256": 65_000,
  "register.ecdsaSecp256k1": 65_000,
  rotate: 100_000,
  revoke: 33_000,
  suspend: 35_000,
};

/**
 * Budgets knowingly not met: the operation is held to `ceiling` instead, and the
 * README's table says the budget is not met and why.
 */
export const gasWaivers: Partial<Record<GasOperation, { ceiling: number; reason: string }>> = {
  rotate: {
    ceiling: 115_000,
    reason: "not met: a rotation now stores its predecessor link and the original expiry (288 bits, two fresh slots) for the extendOverlap cap",
  },
};

/** Comparable operations of other registries, measured on the same local chain (issue 2). */
export const gasReferences: Partial<Record<GasOperation, string>> = {
  "register.ed25519": "ERC-1056 addDelegate 72,205 · Farcaster KeyRegistry add 165,675 · EAS attest 249,532",
  revoke: "ERC-1056 revokeDelegate 37,652 · Farcaster KeyRegistry remove 150,842 · EAS revoke 68,559",
};

/** Growth over the committed snapshot that fails the gas test. */
export const gasTolerance = 0.05;
