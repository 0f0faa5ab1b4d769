import { secp256k1 } from "@noble/curves/secp256k1";
import type { Algorithm } from "./algorithms.ts";
import { computeKeyId } from "./computeKeyId.ts";
import { bytesToBase64Url, InvalidKeyError } from "./jwk.ts";
import type { Jwk, KeyFile } from "./types.ts";

export type GenerateKeyParameters = {
  /** Defaults to `ed25519`. */
  alg?: Algorithm | undefined;
  /** The client or app the key belongs to (1..64 bytes of UTF-8). */
  label: string;
};

/**
 * Generates a key pair from the platform CSPRNG (WebCrypto in Node and browsers;
 * secp256k1, which WebCrypto lacks, from `crypto.getRandomValues` via noble).
 */
export async function generateKey({ alg = "ed25519", label }: GenerateKeyParameters): Promise<KeyFile> {
  assertLabel(label);
  let publicKey: Jwk;
  let privateKey: Jwk;
  if (alg === "ecdsa-secp256k1-sha256") {
    const d = secp256k1.utils.randomPrivateKey();
    const point = secp256k1.getPublicKey(d, false);
    publicKey = { kty: "EC", crv: "secp256k1", x: bytesToBase64Url(point.slice(1, 33)), y: bytesToBase64Url(point.slice(33)) };
    privateKey = { ...publicKey, d: bytesToBase64Url(d) };
  } else {
    const params = alg === "ed25519" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" };
    const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
    privateKey = clean((await crypto.subtle.exportKey("jwk", pair.privateKey)) as Jwk);
    publicKey = clean((await crypto.subtle.exportKey("jwk", pair.publicKey)) as Jwk);
  }
  return { keyId: computeKeyId({ publicKey }), alg, label, publicKey, privateKey };
}

// WebCrypto adds key_ops/ext, which would only confuse other JWK consumers.
function clean(jwk: Jwk): Jwk {
  const { kty, crv, x, y, d } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), ...(d ? { d } : {}) };
}

export function assertLabel(label: unknown): asserts label is string {
  const length = typeof label === "string" ? new TextEncoder().encode(label).length : 0;
  if (length < 1 || length > 64) {
    throw new InvalidKeyError({ reason: `label must be 1..64 bytes of UTF-8, got ${typeof label === "string" ? `${length} bytes` : typeof label}` });
  }
}
