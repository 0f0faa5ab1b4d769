// Node-only: passphrase encryption of a key file's private key (scrypt + AES-256-GCM).
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import type { Jwk, KeyFile } from "../keys/index.ts";
import { EncryptedKeyFileError, InvalidKeyFileError } from "./errors.ts";
import { keyFileAad } from "./keyFileAad.ts";

export const encryptedKeyFileFormat = "keyledger-scrypt-aes256gcm-v1";

/** The encrypted private key, stored in a key file next to the public members. */
export type EncryptedPrivateKey = {
  format: typeof encryptedKeyFileFormat;
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  iv: string;
  ciphertext: string;
  tag: string;
};

/** scrypt cost: 2^17 (128 MiB, ~0.3 s here), OWASP's minimum for scrypt; readers accept 2^14..2^20. */
export const defaultScryptN = 2 ** 17;
const minN = 2 ** 14;
const maxN = 2 ** 20;
const r = 8;
const p = 1;
export const minPassphraseLength = 8;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const unb64 = (text: unknown, name: string, length?: number) => {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new InvalidKeyFileError(`Invalid key file: encryptedPrivateKey.${name} must be base64url.`);
  const bytes = Buffer.from(text, "base64url");
  if (length !== undefined && bytes.length !== length) throw new InvalidKeyFileError(`Invalid key file: encryptedPrivateKey.${name} must be ${length} bytes.`);
  return bytes;
};
const derive = (passphrase: string, salt: Uint8Array, N: number) => scryptSync(passphrase.normalize("NFC"), salt, 32, { N, r, p, maxmem: 256 * N * r });

export function assertPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== "string" || [...passphrase].length < minPassphraseLength) {
    throw new EncryptedKeyFileError(`A key file passphrase must be a string of at least ${minPassphraseLength} characters.`);
  }
}

/** Encrypts `key.privateKey` (the JWK) under `passphrase`. */
export function encryptPrivateKey({ key, passphrase, N = defaultScryptN }: { key: KeyFile; passphrase: string; N?: number | undefined }): EncryptedPrivateKey {
  assertPassphrase(passphrase);
  if (!key.privateKey) throw new EncryptedKeyFileError("There is no private key to encrypt.");
  if (!Number.isInteger(Math.log2(N)) || N < minN || N > maxN) throw new EncryptedKeyFileError(`scrypt N must be a power of two in 2^14..2^20, got ${N}.`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derive(passphrase, salt, N), iv);
  cipher.setAAD(keyFileAad(key));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(key.privateKey), "utf8"), cipher.final()]);
  return { format: encryptedKeyFileFormat, kdf: { name: "scrypt", N, r, p, salt: b64(salt) }, iv: b64(iv), ciphertext: b64(ciphertext), tag: b64(cipher.getAuthTag()) };
}

/** The private JWK from `encrypted`; a wrong passphrase and a changed file both give EncryptedKeyFileError. */
export function decryptPrivateKey({ key, encrypted, passphrase, path }: { key: Pick<KeyFile, "publicKey" | "alg">; encrypted: unknown; passphrase: string; path: string }): Jwk {
  if (!encrypted || typeof encrypted !== "object") throw new InvalidKeyFileError(`Invalid key file ${path}: encryptedPrivateKey must be an object.`);
  const e = encrypted as Record<string, unknown>;
  if (e.format !== encryptedKeyFileFormat) throw new InvalidKeyFileError(`Invalid key file ${path}: unknown encryption format ${JSON.stringify(e.format)} (expected ${encryptedKeyFileFormat}).`);
  const kdf = (e.kdf ?? {}) as Record<string, unknown>;
  const N = kdf.N;
  // A hostile file must not make the reader spend gigabytes or minutes deriving a key.
  if (kdf.name !== "scrypt" || typeof N !== "number" || !Number.isInteger(Math.log2(N)) || N < minN || N > maxN || kdf.r !== r || kdf.p !== p) {
    throw new InvalidKeyFileError(`Invalid key file ${path}: scrypt parameters must be N = 2^14..2^20 (a power of two), r = ${r}, p = ${p}.`);
  }
  const salt = unb64(kdf.salt, "kdf.salt", 16);
  const iv = unb64(e.iv, "iv", 12);
  const tag = unb64(e.tag, "tag", 16);
  const ciphertext = unb64(e.ciphertext, "ciphertext");
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", derive(passphrase, salt, N), iv);
    decipher.setAAD(keyFileAad(key));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new EncryptedKeyFileError(`Cannot decrypt ${path}: wrong passphrase, or the file was changed.`);
  }
  try {
    return JSON.parse(plaintext) as Jwk;
  } catch {
    throw new EncryptedKeyFileError(`Cannot decrypt ${path}: the decrypted private key is not a JWK.`);
  }
}
