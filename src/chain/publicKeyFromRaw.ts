import type { KeyObject } from "node:crypto";
import type { Algorithm } from "../keys/index.ts";
import { publicKeyObject } from "../verifier/publicKeyObject.ts";

export type PublicKeyFromRawParameters = { alg: Algorithm; raw: Uint8Array };

/**
 * A node:crypto public key from the registry's raw bytes (32-byte Ed25519, or a
 * 33-byte compressed SEC1 point). Returns undefined for bytes that are not a key:
 * registry v2 checks ECDSA points on chain (with their proof), but an Ed25519 key
 * only for small order and canonical form, not that it is on the curve.
 */
export function publicKeyFromRaw({ alg, raw }: PublicKeyFromRawParameters): KeyObject | undefined {
  // The registry stores compressed points only; 65-byte points never come from it.
  if (raw.length !== (alg === "ed25519" ? 32 : 33)) return undefined;
  try {
    return publicKeyObject({ alg, publicKey: raw });
  } catch {
    return undefined;
  }
}
