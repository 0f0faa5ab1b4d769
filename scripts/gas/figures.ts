/** The operations the gas benchmark measures, in the order it prints them. */
export const gasOperations = [
  { id: "register.firstKey", label: "register (Ed25519, the owner's first key)" },
  { id: "register.ed25519", label: "register (Ed25519)" },
  { id: "register.ecdsaP256", label: "register (ECDSA P-256)" },
  { id: "register.ecdsaSecp256k1", label: "register (ECDSA secp256k1)" },
  { id: "rotate", label: "rotate (Ed25519 → Ed25519)" },
  { id: "extendOverlap", label: "extendOverlap" },
  { id: "revoke", label: "revoke" },
  { id: "releaseKeys", label: "releaseKeys (one revoked lineage, by anyone)" },
  { id: "revokeBatch.10", label: "revokeBatch, 10 keys" },
  { id: "revokeBatch.perKey", label: "revokeBatch, per key" },
  { id: "suspend", label: "suspend (guardian)" },
  { id: "unsuspend", label: "unsuspend (governance)" },
  { id: "governanceRevoke", label: "governanceRevoke" },
  { id: "governanceRevokeLineage.3", label: "governanceRevokeLineage, 3 versions" },
  { id: "governanceRevokeOwner", label: "governanceRevokeOwner (all of an owner's keys)" },
  { id: "setRotator", label: "setRotator (an owner with keys)" },
  { id: "rotate.byRotator", label: "rotate by the owner's rotator (Ed25519 → Ed25519)" },
  { id: "registerFor.ed25519", label: "registerFor (Ed25519, signed by the owner, sent by a relayer)" },
  { id: "rotateFor", label: "rotateFor (Ed25519 → Ed25519, signed)" },
  { id: "extendOverlapFor", label: "extendOverlapFor (signed)" },
  { id: "revokeFor", label: "revokeFor (signed)" },
  { id: "setRotatorFor", label: "setRotatorFor (signed)" },
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
  "register.firstKey": 65_000,
  "register.ecdsaP256": 80_000,
  "register.ecdsaSecp256k1": 80_000,
  rotate: 100_000,
  revoke: 33_000,
  suspend: 35_000,
};

/**
 * Budgets knowingly not met: the operation is held to `ceiling` instead, and the
 * README's table says the budget is not met and why.
 */
export const gasWaivers: Partial<Record<GasOperation, { ceiling: number; reason: string }>> = {
  "register.firstKey": {
    ceiling: 83_000,
    reason:
      "not met, by design: the owner's record (its unreleased-lineage count for the per-owner cap) is a fresh slot, 20,000 gas paid once per owner; every later key is within budget",
  },
};

/**
 * Comparable operations of other registries, measured on the same local chain (issue 2).
 * None of them checks that the registrant holds the key on chain; KeyLedger checks
 * ECDSA proofs on chain and namespaces ids per owner.
 */
export const gasReferences: Partial<Record<GasOperation, string>> = {
  "register.ed25519": "ERC-1056 addDelegate 72,205 · Farcaster KeyRegistry add 165,675 · EAS attest 249,532",
  revoke: "ERC-1056 revokeDelegate 37,652 · Farcaster KeyRegistry remove 150,842 · EAS revoke 68,559",
};

/** Growth over the committed snapshot that fails the gas test. */
export const gasTolerance = 0.05;
