import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { type Algorithm, algorithmOfJwk, assertLabel, base64UrlToBytes, computeKeyId, isAlgorithm, keyIdOwner, type Jwk, type KeyFile } from "../keys/index.ts";
import { InvalidKeyFileError } from "./errors.ts";

const keyIdPattern = /^0x[0-9a-f]{64}$/;

/**
 * Checks that `value` is a KeyLedger key file: known alg, JWKs of that curve, a
 * key id that belongs to the public key (the owner-free keccak256 of a key not yet
 * registered, or the registry id of the owner its first 20 bytes name), a private key (when present) that
 * really belongs to the public key, and well-formed optional version/window.
 * Returns a clean copy (unknown members dropped).
 */
export function validateKeyFile(value: unknown): KeyFile {
  const problem = (what: string) => new InvalidKeyFileError(`Invalid key file: ${what}.`);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw problem("expected a JSON object");
  const file = value as Record<string, unknown>;
  const { keyId, alg, label, publicKey, privateKey, version, notBefore, expiresAt } = file;
  if (typeof keyId !== "string" || !keyIdPattern.test(keyId.toLowerCase())) throw problem("keyId must be 0x followed by 64 hex digits");
  if (!isAlgorithm(alg)) throw problem(`alg must be one of ed25519, ecdsa-p256-sha256, ecdsa-secp256k1-sha256`);
  try {
    assertLabel(label);
  } catch {
    throw problem("label must be 1..64 bytes of UTF-8");
  }
  const pub = readJwk(publicKey, alg, "publicKey");
  let unbound: string;
  let bound: string;
  const id = keyId.toLowerCase();
  try {
    unbound = computeKeyId({ publicKey: pub });
    bound = computeKeyId({ publicKey: pub, owner: keyIdOwner(id as KeyFile["keyId"]) });
  } catch (cause) {
    throw new InvalidKeyFileError("Invalid key file: publicKey is not a valid point.", { cause });
  }
  if (id !== unbound && id !== bound) throw problem("keyId does not belong to the public key (neither keccak256 of it nor the registry id of the owner it names)");
  const computed = id;
  const result: KeyFile = { keyId: computed as KeyFile["keyId"], alg, label: label as string, publicKey: pub };
  if (privateKey !== undefined) {
    const priv = readJwk(privateKey, alg, "privateKey");
    if (typeof priv.d !== "string") throw problem("privateKey has no d");
    if (priv.x !== pub.x || priv.y !== pub.y || !privateMatchesPublic(alg, priv)) throw problem("privateKey does not belong to publicKey");
    result.privateKey = priv;
  }
  if (version !== undefined) {
    if (!Number.isSafeInteger(version) || (version as number) < 1) throw problem("version must be a positive integer");
    result.version = version as number;
  }
  for (const [name, v] of [["notBefore", notBefore], ["expiresAt", expiresAt]] as const) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw problem(`${name} must be unix seconds`);
    result[name] = v as number;
  }
  if (result.notBefore !== undefined && result.expiresAt !== undefined && result.expiresAt <= result.notBefore) {
    throw problem("expiresAt must be after notBefore");
  }
  return result;
}

function readJwk(value: unknown, alg: Algorithm, name: string): Jwk {
  if (!value || typeof value !== "object") throw new InvalidKeyFileError(`Invalid key file: ${name} must be a JWK object.`);
  const { kty, crv, x, y, d } = value as Jwk;
  const jwk: Jwk = { kty, crv, x, ...(y === undefined ? {} : { y }), ...(d === undefined ? {} : { d }) };
  let jwkAlg: Algorithm;
  try {
    jwkAlg = algorithmOfJwk(jwk);
  } catch {
    throw new InvalidKeyFileError(`Invalid key file: ${name} is not an Ed25519, P-256 or secp256k1 JWK.`);
  }
  if (jwkAlg !== alg) throw new InvalidKeyFileError(`Invalid key file: ${name} is a ${jwkAlg} key but alg is ${alg}.`);
  for (const [member, v] of Object.entries({ x, y, d })) {
    if (v !== undefined && (typeof v !== "string" || !/^[A-Za-z0-9_-]+$/.test(v))) {
      throw new InvalidKeyFileError(`Invalid key file: ${name}.${member} must be base64url.`);
    }
  }
  return jwk;
}

function privateMatchesPublic(alg: Algorithm, jwk: Jwk): boolean {
  try {
    const d = base64UrlToBytes(jwk.d as string);
    if (alg === "ed25519") return equal(ed25519.getPublicKey(d), base64UrlToBytes(jwk.x));
    const point = (alg === "ecdsa-p256-sha256" ? p256 : secp256k1).getPublicKey(d, false);
    return equal(point.subarray(1, 33), base64UrlToBytes(jwk.x)) && equal(point.subarray(33), base64UrlToBytes(jwk.y as string));
  } catch {
    return false;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
