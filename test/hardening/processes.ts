// Real processes the fault tests stop, kill and restart: a verifier (the
// reference server) and a Redis with an append-only file.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exitWithParentFlags, startChildProcess } from "../../scripts/dev/startChildProcess.ts";
import type { KeyFile } from "../../src/keys/index.ts";
import { redisServerPath } from "../helpers/redis.ts";

export type ChildHandle = {
  url: string;
  pid: number;
  /** SIGTERM (clean shutdown) or SIGKILL (a crash), then waits for the exit. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
};

async function stopGroup(pid: number, exited: Promise<unknown>, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
  await exited;
}

export type StartVerifierProcessParameters = {
  key: KeyFile;
  /** Public origin the server verifies for, so that every incarnation accepts the same signed bytes. */
  origin: string;
  redisUrl?: string | undefined;
};

/** test/hardening/verifierProcess.ts as a child process; resolves with its URL. */
export async function startVerifierProcess({ key, origin, redisUrl }: StartVerifierProcessParameters): Promise<ChildHandle> {
  const config = { keyId: key.keyId, alg: key.alg, publicKey: key.publicKey, redisUrl, origin };
  const child = await startChildProcess({
    name: "verifier process",
    command: process.execPath,
    args: [...exitWithParentFlags, fileURLToPath(new URL("./verifierProcess.ts", import.meta.url))],
    env: { ...process.env, KEYLEDGER_TEST_VERIFIER: JSON.stringify(config) },
    ready: /^(http:\/\/\S+)$/m,
    readyTimeoutMs: 30_000,
  });
  return { url: child.match!, pid: child.pid, stop: (signal = "SIGTERM") => stopGroup(child.pid, child.exited, signal) };
}

export type PersistentRedis = ChildHandle & { port: number; dir: string; remove(): void };

/**
 * A redis-server on 127.0.0.1 that writes every command to its append-only file
 * before answering (appendfsync always): what a nonce store should run on. `port`
 * and `dir` restart it where clients expect it, with its data.
 */
export async function startPersistentRedis({ port, dir }: { port?: number; dir?: string } = {}): Promise<PersistentRedis> {
  if (!redisServerPath) throw new Error("redis-server is not installed");
  const where = dir ?? mkdtempSync(join(tmpdir(), "keyledger-redis-aof-"));
  const listen = port ?? (await freePort());
  const child = await startChildProcess({
    name: "redis-server",
    command: redisServerPath,
    args: ["--bind", "127.0.0.1", "--port", String(listen), "--dir", where, "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
    ready: /Ready to accept connections/,
    readyTimeoutMs: 15_000,
  });
  return {
    url: `redis://127.0.0.1:${listen}`,
    port: listen,
    dir: where,
    pid: child.pid,
    stop: (signal = "SIGTERM") => stopGroup(child.pid, child.exited, signal),
    remove: () => rmSync(where, { recursive: true, force: true }),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
