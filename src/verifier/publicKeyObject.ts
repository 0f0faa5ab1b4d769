import { createPublicKey, ECDH, KeyObject } from "node:crypto";
import { type Algorithm, base64UrlToBytes, bytesToBase64Url, type Ed25519PublicKeyProblemReturnType, ed25519PublicKeyProblem, isAlgorithm, type Jwk } from "../keys/index.ts";
import { InvalidPublicKeyError } from "./errors.ts";

export type PublicKeyObjectParameters = {
  alg: Algorithm;
  /**
   * Raw bytes (Ed25519: 32; ECDSA: 33 compressed or 65 uncompressed SEC1), a JWK,
   * a PEM (SPKI) string, or a public KeyObject.
   */
  publicKey: Uint8Array | Jwk | string | KeyObject;
};

const curves = {
  "ecdsa-p256-sha256": { openssl: "prime256v1", jwk: "P-256" },
  "ecdsa-secp256k1-sha256": { openssl: "secp256k1", jwk: "secp256k1" },
} as const;

/**
 * A node:crypto public KeyObject for `alg`, checked to be of that algorithm's
 * type and curve. Build it once per key: parsing on every request costs more
 * than the verification itself.
 */
export function publicKeyObject({ alg, publicKey }: PublicKeyObjectParameters): KeyObject {
  if (!isAlgorithm(alg)) throw new InvalidPublicKeyError(`Unsupported algorithm "${String(alg)}".`);
  let key: KeyObject;
  try {
    if (publicKey instanceof Uint8Array) key = fromRaw(alg, publicKey);
    else if (typeof publicKey === "string") key = createPublicKey({ key: publicKey, format: "pem" });
    else if (publicKey instanceof KeyObject) key = publicKey;
    else if (publicKey && typeof publicKey === "object") {
      const { kty, crv, x, y } = publicKey as Jwk;
      key = createPublicKey({ key: { kty, crv, x, ...(y === undefined ? {} : { y }) } as never, format: "jwk" });
    } else throw new Error("expected raw bytes, a JWK, a PEM string or a KeyObject");
  } catch (cause) {
    if (cause instanceof InvalidPublicKeyError) throw cause;
    throw new InvalidPublicKeyError(`Cannot read the ${alg} public key.`, { cause, details: (cause as Error).message });
  }
  if (key.type !== "public") throw new InvalidPublicKeyError("Expected a public key, got a private or secret key.");
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const matches = alg === "ed25519" ? type === "ed25519" : type === "ec" && curve === curves[alg].openssl;
  if (!matches) throw new InvalidPublicKeyError(`The public key is ${type}${curve ? ` ${curve}` : ""}, not ${alg}.`);
  if (alg === "ed25519") {
    const problem = ed25519KeyProblem(key);
    if (problem) {
      throw new InvalidPublicKeyError(`The Ed25519 public key is unusable (${problem}).`, {
        details: "Small-order and non-canonical Ed25519 keys are refused: a constant signature verifies every message with them.",
      });
    }
  }
  return key;
}

/** Ed25519 KeyObjects already found usable: each key is checked once, whoever built it. */
const usableEd25519Keys = new WeakSet<KeyObject>();

/** Why an Ed25519 KeyObject is unusable (small-order, non-canonical), or undefined; checked once per object. */
export function ed25519KeyProblem(key: KeyObject): Ed25519PublicKeyProblemReturnType {
  if (usableEd25519Keys.has(key)) return undefined;
  const problem = ed25519PublicKeyProblem({ publicKey: base64UrlToBytes(key.export({ format: "jwk" }).x ?? "") });
  if (problem === undefined) usableEd25519Keys.add(key);
  return problem;
}

function fromRaw(alg: Algorithm, raw: Uint8Array): KeyObject {
  if (alg === "ed25519") {
    if (raw.length !== 32) throw new InvalidPublicKeyError(`An Ed25519 public key is 32 bytes, got ${raw.length}.`);
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bytesToBase64Url(raw) }, format: "jwk" });
  }
  if (raw.length !== 33 && raw.length !== 65) {
    throw new InvalidPublicKeyError(`An ECDSA public key is 33 (compressed) or 65 bytes, got ${raw.length}.`);
  }
  const curve = curves[alg];
  // convertKey decompresses the point and throws when it is not on the curve.
  const point = ECDH.convertKey(raw, curve.openssl, undefined, undefined, "uncompressed") as Buffer;
  return createPublicKey({
    key: { kty: "EC", crv: curve.jwk, x: bytesToBase64Url(point.subarray(1, 33)), y: bytesToBase64Url(point.subarray(33)) },
    format: "jwk",
  });
}
