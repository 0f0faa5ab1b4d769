import { type KeyObject, verify } from "node:crypto";
import type { Address, Hex } from "viem";
import { type Algorithm, proofOfPossessionMessage } from "../keys/index.ts";

export type VerifyProofOfPossessionParameters = {
  alg: Algorithm;
  publicKey: KeyObject;
  proof: Uint8Array;
  chainId: number;
  registry: Address;
  owner: Address;
  keyId: Hex;
};

/**
 * Checks a registration's proof of possession off-chain. Registry v2 verifies ECDSA
 * proofs on chain, but has no Ed25519 precompile, so for Ed25519 keys this is the only
 * check; ECDSA proofs are checked again here (defense in depth). The new key must have
 * signed `proofOfPossessionMessage({ chainId, registry, owner, keyId })`: Ed25519
 * over the bytes, ECDSA (P-256, secp256k1) as 64-byte r || s over their SHA-256.
 * Binding the owner stops a thief from registering someone else's public key.
 */
export function verifyProofOfPossession({ alg, publicKey, proof, ...context }: VerifyProofOfPossessionParameters): boolean {
  if (proof.length !== 64) return false;
  try {
    const message = proofOfPossessionMessage(context);
    return alg === "ed25519"
      ? verify(null, message, publicKey, proof)
      : verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, proof);
  } catch {
    return false;
  }
}
