import { BaseError } from "../errors/BaseError.ts";
import type { Algorithm } from "./algorithms.ts";
import type { Jwk } from "./types.ts";

const curves: Record<Algorithm, { kty: Jwk["kty"]; crv: Jwk["crv"] }> = {
  ed25519: { kty: "OKP", crv: "Ed25519" },
  "ecdsa-p256-sha256": { kty: "EC", crv: "P-256" },
  "ecdsa-secp256k1-sha256": { kty: "EC", crv: "secp256k1" },
};

export function algorithmOfJwk(jwk: Jwk): Algorithm {
  for (const [alg, c] of Object.entries(curves)) {
    if (jwk.kty === c.kty && jwk.crv === c.crv) return alg as Algorithm;
  }
  throw new InvalidKeyError({ reason: `unsupported JWK kty "${String(jwk.kty)}" / crv "${String(jwk.crv)}"` });
}

export function base64UrlToBytes(value: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new InvalidKeyError({ reason: "a JWK member is not base64url" });
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class InvalidKeyError extends BaseError {
  override name = "InvalidKeyError";
  constructor({ reason }: { reason: string }) {
    super(`Invalid key: ${reason}.`);
  }
}
