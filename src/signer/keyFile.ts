// Node-only: key files on disk. Kept out of `keyledger/signer` (browser-safe);
// exported from `keyledger/signer/node`.
import { randomBytes } from "node:crypto";
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFile } from "../keys/index.ts";
import { createHash } from "node:crypto";
import { EncryptedKeyFileError, InsecureKeyFileError, InvalidKeyFileError, KeyFileExistsError } from "./errors.ts";
import { decryptPrivateKey, encryptPrivateKey } from "./keyFileEncryption.ts";
import { validateKeyFile } from "./validateKeyFile.ts";

const maxKeyFileBytes = 64 * 1024;
const checksModes = process.platform !== "win32";

export type WriteKeyFileParameters = {
  path: string;
  key: KeyFile;
  /** Replace an existing file (atomically, via a temporary file and rename). Default false. */
  overwrite?: boolean | undefined;
  /**
   * Encrypt the private key under this passphrase (scrypt + AES-256-GCM; at least 8
   * characters). The public members stay readable, so tools can list and look up
   * keys without it. Without a passphrase the private key is stored in clear (0600).
   */
  passphrase?: string | undefined;
  /** scrypt cost for `passphrase`, a power of two in 2^14..2^20. Default 2^17. */
  scryptN?: number | undefined;
};

/**
 * Writes a key file with mode 0600 (set explicitly, whatever the umask). Refuses
 * to replace an existing file unless `overwrite`; an overwrite writes a new file
 * and renames it over the old one, so a reader never sees half a key.
 */
export function writeKeyFile({ path, key, overwrite = false, passphrase, scryptN }: WriteKeyFileParameters): void {
  const valid = validateKeyFile(key);
  const stored: Record<string, unknown> =
    passphrase === undefined || !valid.privateKey
      ? valid
      : { ...valid, privateKey: undefined, encryptedPrivateKey: encryptPrivateKey({ key: valid, passphrase, N: scryptN }) };
  const text = `${JSON.stringify(stored, null, 2)}\n`;
  const target = overwrite ? `${path}.${randomBytes(6).toString("hex")}.tmp` : path;
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST") {
      throw new KeyFileExistsError(`Key file ${path} already exists.`, { metaMessages: ["Pass overwrite (CLI: --force) to replace it."] });
    }
    throw cause;
  }
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
    fsyncSync(fd);
  } catch (cause) {
    closeSync(fd);
    rmSync(target, { force: true });
    throw cause;
  }
  closeSync(fd);
  if (overwrite) renameSync(target, path);
}

export type SetKeyFileKeyIdParameters = {
  path: string;
  /** The registry's id for the file's key (`computeKeyId({ publicKey, owner })`). */
  keyId: KeyFile["keyId"];
};

/**
 * Records the registry id in a key file after registration (ids are namespaced per
 * owner, so a fresh file carries the owner-free id until then). Only `keyId` changes:
 * an encrypted private key stays encrypted (its associated data binds the public
 * key, not the id). The file is replaced atomically and keeps mode 0600.
 */
export function setKeyFileKeyId({ path, keyId }: SetKeyFileKeyIdParameters): void {
  const fd = openSync(path, "r");
  let json: Record<string, unknown>;
  try {
    if (fstatSync(fd).size > maxKeyFileBytes) throw new InvalidKeyFileError(`${path} is too large to be a key file.`);
    json = JSON.parse(readFileSync(fd, "utf8")) as Record<string, unknown>;
  } finally {
    closeSync(fd);
  }
  const { privateKey: _private, encryptedPrivateKey: _encrypted, ...publicPart } = json;
  // Refuses an id that does not belong to the file's public key.
  validateKeyFile({ ...publicPart, keyId });
  if (json.keyId === keyId) return;
  const target = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const out = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    fchmodSync(out, 0o600);
    writeFileSync(out, `${JSON.stringify({ ...json, keyId }, null, 2)}\n`);
    fsyncSync(out);
  } catch (cause) {
    closeSync(out);
    rmSync(target, { force: true });
    throw cause;
  }
  closeSync(out);
  renameSync(target, path);
}

export type ReadKeyFileParameters = {
  path: string;
  /** Accept a private key file readable by group/others (not recommended). Default false. */
  allowInsecurePermissions?: boolean | undefined;
  /** Decrypts an encrypted key file's private key. */
  passphrase?: string | undefined;
  /** An encrypted file without `passphrase`: return its public members instead of throwing. Default false. */
  publicOnly?: boolean | undefined;
};

/**
 * Reads and validates a key file (see `validateKeyFile`). A file holding a private
 * key must not be accessible to group or others (mode & 0o077 === 0, as ssh
 * requires); such a file is refused with `InsecureKeyFileError` unless
 * `allowInsecurePermissions`. Public-only copies may have any mode. The check is
 * skipped on Windows, where modes do not describe access.
 */
export function readKeyFile({ path, allowInsecurePermissions = false, passphrase, publicOnly = false }: ReadKeyFileParameters): KeyFile {
  const fd = openSync(path, "r");
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InvalidKeyFileError(`${path} is not a regular file.`);
    if (info.size > maxKeyFileBytes) throw new InvalidKeyFileError(`${path} is too large to be a key file.`);
    return parseKeyFile({ path, text: readFileSync(fd, "utf8"), mode: info.mode, allowInsecurePermissions, passphrase, publicOnly });
  } finally {
    closeSync(fd);
  }
}

export type KeyDirectoryParameters = {
  path: string;
  allowInsecurePermissions?: boolean | undefined;
  /** Decrypts encrypted key files (each file once per change: scrypt is deliberately slow). */
  passphrase?: string | undefined;
};

/**
 * A key source for `createSignedFetch`: every `*.json` file in `path`, re-read
 * whenever the directory changes (a file added, removed or replaced by rename, as
 * `writeKeyFile` does). Costs one stat per call otherwise.
 */
export function keyDirectory({ path, allowInsecurePermissions = false, passphrase }: KeyDirectoryParameters): () => Promise<KeyFile[]> {
  let cached: { mtimeMs: number; keys: KeyFile[] } | undefined;
  // By content: an unchanged encrypted file is not decrypted again when another file changes.
  let decrypted = new Map<string, KeyFile>();
  let loading: Promise<KeyFile[]> | undefined;
  return async () => {
    const { mtimeMs } = await stat(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.keys;
    loading ??= (async () => {
      try {
        const names = (await readdir(path)).filter((name) => name.endsWith(".json")).sort();
        const keys: KeyFile[] = [];
        const seen = new Map<string, KeyFile>();
        for (const name of names) {
          const file = join(path, name);
          const handle = await open(file, "r");
          try {
            const info = await handle.stat();
            if (!info.isFile() || info.size > maxKeyFileBytes) continue;
            const text = await handle.readFile("utf8");
            const digest = createHash("sha256").update(`${info.mode}\n${text}`).digest("base64");
            const key = decrypted.get(digest) ?? parseKeyFile({ path: file, text, mode: info.mode, allowInsecurePermissions, passphrase, publicOnly: false });
            seen.set(digest, key);
            keys.push(key);
          } finally {
            await handle.close();
          }
        }
        cached = { mtimeMs, keys };
        decrypted = seen;
        return keys;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  };
}

type ParseKeyFileParameters = { path: string; text: string; mode: number; allowInsecurePermissions: boolean; passphrase: string | undefined; publicOnly: boolean };

function parseKeyFile({ path, text, mode, allowInsecurePermissions, passphrase, publicOnly }: ParseKeyFileParameters): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidKeyFileError(`${path} is not JSON.`, { cause });
  }
  let key: KeyFile;
  try {
    key = validateKeyFile(json);
  } catch (cause) {
    throw new InvalidKeyFileError(`${path}: ${(cause as Error).message}`, { cause });
  }
  const encrypted = (json as { encryptedPrivateKey?: unknown }).encryptedPrivateKey;
  if (encrypted !== undefined) {
    if (key.privateKey) throw new InvalidKeyFileError(`Invalid key file ${path}: it holds both privateKey and encryptedPrivateKey.`);
    if (passphrase === undefined) {
      if (publicOnly) return key;
      throw new EncryptedKeyFileError(`Key file ${path} is encrypted: a passphrase is needed.`, {
        metaMessages: ["CLI: set KEYLEDGER_KEY_PASSPHRASE or type it at the prompt. Library: pass `passphrase`."],
      });
    }
    const privateKey = decryptPrivateKey({ key, encrypted, passphrase, path });
    try {
      key = validateKeyFile({ ...key, privateKey });
    } catch (cause) {
      throw new InvalidKeyFileError(`${path}: ${(cause as Error).message}`, { cause });
    }
  }
  if (key.privateKey && checksModes && (mode & 0o077) !== 0 && !allowInsecurePermissions) {
    throw new InsecureKeyFileError(`Private key file ${path} is accessible to group or others (mode ${(mode & 0o777).toString(8)}).`, {
      metaMessages: [`Run: chmod 600 ${path}`],
    });
  }
  return key;
}
