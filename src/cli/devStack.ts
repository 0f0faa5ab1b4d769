// The running dev stack (`npm start`) as the CLI finds it: `npm start` writes
// `<state dir>/dev-stack.json` once every service runs and removes it on exit, so
// the CLI talks to the node it actually started even when a busy port moved it off
// 8545. The state dir is $KEYLEDGER_STATE_DIR, else `.keyledger/` in the working
// directory, else `.keyledger/` at this repository's root.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type DevStackFile = {
  version: 1;
  /** The `npm start` process; a file whose process is gone is ignored. */
  pid: number;
  rpcUrl: string;
  chainId: number;
  manifestPath: string;
  apiUrl?: string | undefined;
  indexerUrl?: string | undefined;
  webUrl?: string | undefined;
  startedAt: string;
};

export const devStackFileName = "dev-stack.json";
const repoStateDir = resolve(fileURLToPath(new URL("../../.keyledger", import.meta.url)));

/** Where the CLI looks, in order. */
export function devStackFileCandidates(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  if (env.KEYLEDGER_STATE_DIR) return [join(resolve(cwd, env.KEYLEDGER_STATE_DIR), devStackFileName)];
  return [...new Set([join(cwd, ".keyledger", devStackFileName), join(repoStateDir, devStackFileName)])];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running dev stack's file, or undefined (none, unreadable, or its process is gone). */
export function readDevStack(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): (DevStackFile & { path: string }) | undefined {
  for (const path of devStackFileCandidates(env, cwd)) {
    if (!existsSync(path)) continue;
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as DevStackFile;
      if (file?.version !== 1 || typeof file.rpcUrl !== "string" || typeof file.manifestPath !== "string" || !Number.isSafeInteger(file.pid)) continue;
      if (!alive(file.pid)) continue;
      return { ...file, path };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Written by `npm start` (atomically) once the stack runs. */
export function writeDevStack(path: string, file: DevStackFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Removes the file if it is still this process's. */
export function removeDevStack(path: string, pid = process.pid): void {
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as DevStackFile;
    if (file.pid === pid) rmSync(path, { force: true });
  } catch {
    // Gone already.
  }
}

/** The shell line that points every tool at this stack. */
export function devStackEnvLine(file: Pick<DevStackFile, "rpcUrl" | "manifestPath" | "apiUrl" | "indexerUrl">): string {
  const quote = (v: string) => (/^[\w./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  const vars: [string, string | undefined][] = [
    ["KEYLEDGER_RPC_URL", file.rpcUrl],
    ["KEYLEDGER_MANIFEST", file.manifestPath],
    ["KEYLEDGER_API_URL", file.apiUrl],
    ["KEYLEDGER_INDEXER_URL", file.indexerUrl],
  ];
  return `export ${vars.filter(([, v]) => v).map(([k, v]) => `${k}=${quote(v!)}`).join(" ")}`;
}
