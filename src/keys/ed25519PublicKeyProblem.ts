import { ed25519 } from "@noble/curves/ed25519";

export type Ed25519PublicKeyProblemParameters = { publicKey: Uint8Array };
/** Why a raw Ed25519 public key is unusable, or `undefined` when it is usable. */
export type Ed25519PublicKeyProblemReturnType = "length" | "non-canonical" | "not-on-curve" | "small-order" | undefined;

/**
 * Checks a raw 32-byte Ed25519 public key the way the registry does, plus the
 * on-curve check the EVM cannot afford.
 *
 * Small-order keys are refused because with them a constant signature
 * (R = identity, S = 0 for the identity key) verifies every message, so their
 * owner could repudiate any request. Non-canonical encodings (y >= p, or x = 0
 * with the sign bit set) are refused because they give one point two key ids.
 */
export function ed25519PublicKeyProblem({ publicKey }: Ed25519PublicKeyProblemParameters): Ed25519PublicKeyProblemReturnType {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return "length";
  if (isNonCanonical(publicKey)) return "non-canonical";
  let point: InstanceType<typeof ed25519.ExtendedPoint>;
  try {
    // zip215 = false: RFC 8032's strict decoding, which refuses y >= p and -0.
    point = ed25519.ExtendedPoint.fromHex(publicKey, false);
  } catch {
    return "not-on-curve";
  }
  return point.isSmallOrder() ? "small-order" : undefined;
}

/** y >= p = 2^255 - 19 (little-endian, sign bit masked), or x = 0 (y = ±1) with the sign bit set. */
function isNonCanonical(key: Uint8Array): boolean {
  const top = key[31]! & 0x7f;
  let allOnes = top === 0x7f;
  for (let i = 1; allOnes && i < 31; i++) allOnes = key[i] === 0xff;
  if (allOnes && key[0]! >= 0xed) return true;
  if ((key[31]! & 0x80) === 0) return false;
  const yIsOne = key[0] === 1 && key.subarray(1, 31).every((b) => b === 0) && top === 0;
  const yIsMinusOne = key[0] === 0xec && key.subarray(1, 31).every((b) => b === 0xff) && top === 0x7f;
  return yIsOne || yIsMinusOne;
}
