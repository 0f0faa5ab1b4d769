import { secp256k1 } from "@noble/curves/secp256k1";
import { algorithmOfJwk, base64UrlToBytes, InvalidKeyError } from "./jwk.ts";
import type { Jwk } from "./types.ts";

export type SignBytesParameters = { privateKey: Jwk; data: Uint8Array };

const imported = new WeakMap<Jwk, Promise<CryptoKey>>();

/**
 * Signs `data` with a private JWK: Ed25519 over the bytes; ECDSA over their SHA-256
 * digest, as 64-byte r || s (IEEE P1363), the encoding RFC 9421 requires.
 */
export async function signBytes({ privateKey, data }: SignBytesParameters): Promise<Uint8Array> {
  if (typeof privateKey?.d !== "string") throw new InvalidKeyError({ reason: "the key has no private part (d)" });
  const alg = algorithmOfJwk(privateKey);
  if (alg === "ecdsa-secp256k1-sha256") {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
    return secp256k1.sign(digest, base64UrlToBytes(privateKey.d), { lowS: true }).toCompactRawBytes();
  }
  let key = imported.get(privateKey);
  if (!key) {
    const params = alg === "ed25519" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" };
    key = crypto.subtle.importKey("jwk", privateKey as JsonWebKey, params, false, ["sign"]);
    imported.set(privateKey, key);
  }
  const params = alg === "ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" };
  return new Uint8Array(await crypto.subtle.sign(params, await key, data as Uint8Array<ArrayBuffer>));
}
