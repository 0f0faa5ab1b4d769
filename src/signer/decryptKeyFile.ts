// Browser-safe decryption of an encrypted key file (the format `writeKeyFile({ passphrase })`
// writes): scrypt from @noble/hashes, AES-256-GCM from WebCrypto. The dApp uses it to
// import a key file made by `keyledger keygen`.
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { base64UrlToBytes, type KeyFile } from "../keys/index.ts";
import { EncryptedKeyFileError, InvalidKeyFileError } from "./errors.ts";
import { validateKeyFile } from "./validateKeyFile.ts";
import { keyFileAad } from "./keyFileAad.ts";

export type DecryptKeyFileParameters = {
  /** The key file's parsed JSON. */
  file: unknown;
  /** Needed when the file is encrypted; ignored otherwise. */
  passphrase?: string | undefined;
};

const format = "keyledger-scrypt-aes256gcm-v1";

/** True for a key file whose private key is encrypted (it has `encryptedPrivateKey`). */
export function isEncryptedKeyFile(file: unknown): boolean {
  return !!file && typeof file === "object" && "encryptedPrivateKey" in file;
}

/**
 * A validated key file with its private key: an encrypted file is decrypted with
 * `passphrase`; a plaintext one is validated as it is. A wrong passphrase or a
 * changed file gives EncryptedKeyFileError; hostile scrypt parameters are refused
 * before any work (InvalidKeyFileError).
 */
export async function decryptKeyFile({ file, passphrase }: DecryptKeyFileParameters): Promise<KeyFile> {
  if (!isEncryptedKeyFile(file)) return validateKeyFile(file);
  const { encryptedPrivateKey: e, ...rest } = file as { encryptedPrivateKey: Record<string, unknown> } & Record<string, unknown>;
  const key = validateKeyFile(rest);
  if (typeof passphrase !== "string" || !passphrase) throw new EncryptedKeyFileError("This key file is encrypted: enter its passphrase.");
  const kdf = (e?.kdf ?? {}) as Record<string, unknown>;
  const N = kdf.N;
  if (e?.format !== format || kdf.name !== "scrypt" || typeof N !== "number" || !Number.isInteger(Math.log2(N)) || N < 2 ** 14 || N > 2 ** 20 || kdf.r !== 8 || kdf.p !== 1) {
    throw new InvalidKeyFileError(`Invalid key file: unsupported encryption (expected ${format} with scrypt N = 2^14..2^20, r = 8, p = 1).`);
  }
  const bytes = (v: unknown, name: string) => {
    if (typeof v !== "string" || !/^[A-Za-z0-9_-]*$/.test(v)) throw new InvalidKeyFileError(`Invalid key file: encryptedPrivateKey.${name} must be base64url.`);
    return base64UrlToBytes(v);
  };
  const salt = bytes(kdf.salt, "kdf.salt");
  const iv = bytes(e.iv, "iv");
  const sealed = new Uint8Array([...bytes(e.ciphertext, "ciphertext"), ...bytes(e.tag, "tag")]);
  const derived = await scryptAsync(new TextEncoder().encode(passphrase.normalize("NFC")), salt, { N, r: 8, p: 1, dkLen: 32, maxmem: 256 * N * 8 + 1024 });
  const aesKey = await crypto.subtle.importKey("raw", derived as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["decrypt"]);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as Uint8Array<ArrayBuffer>, additionalData: keyFileAad(key) as Uint8Array<ArrayBuffer>, tagLength: 128 },
      aesKey,
      sealed,
    );
  } catch {
    throw new EncryptedKeyFileError("Cannot decrypt this key file: wrong passphrase, or the file was changed.");
  }
  let privateKey: unknown;
  try {
    privateKey = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    throw new EncryptedKeyFileError("Cannot decrypt this key file: the decrypted private key is not a JWK.");
  }
  return validateKeyFile({ ...key, privateKey });
}
