// Browser-side encryption of a key file, in the format `keyledger keygen` writes
// (docs/key-files.md: scrypt N = 2^17, r = 8, p = 1 + AES-256-GCM bound to the key
// id and algorithm), so the CLI, the agent and `decryptKeyFile` read it.
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesToBase64Url } from "../../../src/keys/jwk.ts";
import type { KeyFile } from "../../../src/keys/types.ts";
import { keyFileAad } from "../../../src/signer/keyFileAad.ts";

export const minPassphraseLength = 8;
const format = "keyledger-scrypt-aes256gcm-v1";

export type EncryptedKeyFile = Omit<KeyFile, "privateKey"> & {
  encryptedPrivateKey: {
    format: typeof format;
    kdf: { name: "scrypt"; N: number; r: 8; p: 1; salt: string };
    iv: string;
    ciphertext: string;
    tag: string;
  };
};

/** Why `passphrase` (typed twice) cannot protect a key file, or null. */
export function passphraseProblem(passphrase: string, repeated: string): string | null {
  if ([...passphrase].length < minPassphraseLength) return `Use at least ${minPassphraseLength} characters.`;
  if (passphrase !== repeated) return "The two passphrases differ.";
  return null;
}

/** `key` with its private JWK replaced by `encryptedPrivateKey` under `passphrase`. */
export async function encryptKeyFile({ key, passphrase, N = 2 ** 17 }: { key: KeyFile; passphrase: string; N?: number }): Promise<EncryptedKeyFile> {
  const { privateKey, ...rest } = key;
  if (!privateKey) throw new Error("There is no private key to encrypt.");
  if ([...passphrase].length < minPassphraseLength) throw new Error(`A key file passphrase needs at least ${minPassphraseLength} characters.`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const derived = await scryptAsync(new TextEncoder().encode(passphrase.normalize("NFC")), salt, { N, r: 8, p: 1, dkLen: 32, maxmem: 256 * N * 8 + 1024 });
  const aesKey = await crypto.subtle.importKey("raw", derived as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt"]);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: keyFileAad(key) as Uint8Array<ArrayBuffer>, tagLength: 128 },
      aesKey,
      new TextEncoder().encode(JSON.stringify(privateKey)),
    ),
  );
  derived.fill(0);
  return {
    ...rest,
    encryptedPrivateKey: {
      format,
      kdf: { name: "scrypt", N, r: 8, p: 1, salt: bytesToBase64Url(salt) },
      iv: bytesToBase64Url(iv),
      ciphertext: bytesToBase64Url(sealed.slice(0, -16)),
      tag: bytesToBase64Url(sealed.slice(-16)),
    },
  };
}
