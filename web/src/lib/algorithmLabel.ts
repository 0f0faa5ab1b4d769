import type { Algorithm } from "../../../src/keys/algorithms.ts";

const labels: Record<Algorithm, string> = {
  ed25519: "Ed25519",
  "ecdsa-p256-sha256": "ECDSA P-256",
  "ecdsa-secp256k1-sha256": "ECDSA secp256k1",
};

/** Human name of an algorithm (RFC 9421 `alg` name in, "Ed25519" out). */
export function algorithmLabel(alg: Algorithm): string {
  return labels[alg];
}
