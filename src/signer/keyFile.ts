// Node-only: key files on disk. Kept out of `keyledger/signer` (browser-safe);
// exported from `keyledger/signer/node`.
import { randomBytes } from "node:crypto";
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { KeyFile } from "../keys/index.ts";
import { InsecureKeyFileError, InvalidKeyFileError, KeyFileExistsError } from "./errors.ts";
import { validateKeyFile } from "./validateKeyFile.ts";

const maxKeyFileBytes = 64 * 1024;
const checksModes = process.platform !== "win32";

export type WriteKeyFileParameters = {
  path: string;
  key: KeyFile;
  /** Replace an existing file (atomically, via a temporary file and rename). Default false. */
  overwrite?: boolean | undefined;
};

/**
 * Writes a key file with mode 0600 (set explicitly, whatever the umask). Refuses
 * to replace an existing file unless `overwrite`; an overwrite writes a new file
 * and renames it over the old one, so a reader never sees half a key.
 */
export function writeKeyFile({ path, key, overwrite = false }: WriteKeyFileParameters): void {
  const valid = validateKeyFile(key);
  const text = `${JSON.stringify(valid, null, 2)}\n`;
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

export type ReadKeyFileParameters = {
  path: string;
  /** Accept a private key file readable by group/others (not recommended). Default false. */
  allowInsecurePermissions?: boolean | undefined;
};

/**
 * Reads and validates a key file (see `validateKeyFile`). A file holding a private
 * key must not be accessible to group or others (mode & 0o077 === 0, as ssh
 * requires); such a file is refused with `InsecureKeyFileError` unless
 * `allowInsecurePermissions`. Public-only copies may have any mode. The check is
 * skipped on Windows, where modes do not describe access.
 */
export function readKeyFile({ path, allowInsecurePermissions = false }: ReadKeyFileParameters): KeyFile {
  const fd = openSync(path, "r");
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InvalidKeyFileError(`${path} is not a regular file.`);
    if (info.size > maxKeyFileBytes) throw new InvalidKeyFileError(`${path} is too large to be a key file.`);
    return parseKeyFile({ path, text: readFileSync(fd, "utf8"), mode: info.mode, allowInsecurePermissions });
  } finally {
    closeSync(fd);
  }
}

export type KeyDirectoryParameters = {
  path: string;
  allowInsecurePermissions?: boolean | undefined;
};

/**
 * A key source for `createSignedFetch`: every `*.json` file in `path`, re-read
 * whenever the directory changes (a file added, removed or replaced by rename, as
 * `writeKeyFile` does). Costs one stat per call otherwise.
 */
export function keyDirectory({ path, allowInsecurePermissions = false }: KeyDirectoryParameters): () => Promise<KeyFile[]> {
  let cached: { mtimeMs: number; keys: KeyFile[] } | undefined;
  let loading: Promise<KeyFile[]> | undefined;
  return async () => {
    const { mtimeMs } = await stat(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.keys;
    loading ??= (async () => {
      try {
        const names = (await readdir(path)).filter((name) => name.endsWith(".json")).sort();
        const keys: KeyFile[] = [];
        for (const name of names) {
          const file = join(path, name);
          const handle = await open(file, "r");
          try {
            const info = await handle.stat();
            if (!info.isFile() || info.size > maxKeyFileBytes) continue;
            keys.push(parseKeyFile({ path: file, text: await handle.readFile("utf8"), mode: info.mode, allowInsecurePermissions }));
          } finally {
            await handle.close();
          }
        }
        cached = { mtimeMs, keys };
        return keys;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  };
}

function parseKeyFile({ path, text, mode, allowInsecurePermissions }: { path: string; text: string; mode: number; allowInsecurePermissions: boolean }): KeyFile {
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
  if (key.privateKey && checksModes && (mode & 0o077) !== 0 && !allowInsecurePermissions) {
    throw new InsecureKeyFileError(`Private key file ${path} is accessible to group or others (mode ${(mode & 0o777).toString(8)}).`, {
      metaMessages: [`Run: chmod 600 ${path}`],
    });
  }
  return key;
}
