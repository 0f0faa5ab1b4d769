import { createPublicKey, ECDH, type KeyObject } from "node:crypto";
import type { Algorithm } from "../keys/index.ts";
import { bytesToBase64Url } from "../keys/index.ts";

export type PublicKeyFromRawParameters = { alg: Algorithm; raw: Uint8Array };

const curves = {
  "ecdsa-p256-sha256": { openssl: "prime256v1", jwk: "P-256" },
  "ecdsa-secp256k1-sha256": { openssl: "secp256k1", jwk: "secp256k1" },
} as const;

/**
 * A node:crypto public key from the registry's raw bytes (32-byte Ed25519, or a
 * 33-byte compressed SEC1 point). Returns undefined for bytes that are not a key:
 * the registry only checks lengths and the point prefix, not that the point is
 * on the curve.
 */
export function publicKeyFromRaw({ alg, raw }: PublicKeyFromRawParameters): KeyObject | undefined {
  try {
    if (alg === "ed25519") {
      if (raw.length !== 32) return undefined;
      return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bytesToBase64Url(raw) }, format: "jwk" });
    }
    const curve = curves[alg];
    if (!curve || raw.length !== 33) return undefined;
    // convertKey decompresses the point and throws when it is not on the curve.
    const point = ECDH.convertKey(raw, curve.openssl, undefined, undefined, "uncompressed") as Buffer;
    return createPublicKey({
      key: { kty: "EC", crv: curve.jwk, x: bytesToBase64Url(point.subarray(1, 33)), y: bytesToBase64Url(point.subarray(33)) },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}
