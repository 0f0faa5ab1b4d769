// Child process of the server benchmark: the reference API server (createApiServer)
// on 127.0.0.1, alone in its process so the load generator never shares its event
// loop. Configured by the first IPC message (BenchServerConfig); answers "usage"
// with its CPU time and RSS; exits on "stop" or when the parent goes away.
import cluster, { type Worker } from "node:cluster";
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import type { Jwk } from "../../src/keys/index.ts";
import { memoryNonceStore, redisNonceStore } from "../../src/nonces/index.ts";
import { createApiServer } from "../../src/server/index.ts";
import { createVerifier, staticKeyResolver, type Verifier, type VerifySuccess } from "../../src/verifier/index.ts";

/**
 * bare: no verification; raw / raw-sync: no verification but one Ed25519 check of a
 * fixed signature per request (async on libuv's pool / synchronous), the floor a
 * verified server is compared with; memory / redis / redis-cluster: the default
 * verifier (thread-pool verify); memory-sync: `threadPool: false`; redis-workers:
 * redis in each of `workers` processes.
 */
export type BenchServerMode = "bare" | "raw" | "raw-sync" | "memory" | "memory-sync" | "redis" | "redis-cluster" | "redis-workers";

export type BenchServerConfig = {
  mode: BenchServerMode;
  key: { keyId: Hex; publicKey: Jwk; scopes: string[] };
  /** Required for mode "redis". */
  redisUrl?: string | undefined;
  /** Seed nodes, required for mode "redis-cluster". */
  redisCluster?: string[] | undefined;
  maxAgeSeconds: number;
  /** Modes raw / raw-sync: a message and its signature by `key`, base64. */
  rawCheck?: { data: string; signature: string } | undefined;
  /** node:cluster workers sharing the port (each with its own verifier on the shared store). Default 1: this process serves. */
  workers?: number | undefined;
};

export type BenchServerMessage =
  | { type: "ready"; url: string }
  | { type: "usage"; cpuSeconds: number; rssBytes: number }
  | { type: "error"; message: string };

process.once("disconnect", () => process.exit(0));
process.once("message", (config: BenchServerConfig) => {
  ((config.workers ?? 1) > 1 ? startWorkers(config) : start(config)).catch((error: Error) => {
    process.send!({ type: "error", message: error.message } satisfies BenchServerMessage);
    process.exit(1);
  });
});

async function start(config: BenchServerConfig): Promise<void> {
  const verifier = await verifierFor(config);
  const api = await createApiServer({ verifier, port: 0, host: "127.0.0.1" });
  process.on("message", async (message: { type: string }) => {
    if (message.type === "usage") {
      const cpu = process.cpuUsage();
      process.send!({ type: "usage", cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage().rss } satisfies BenchServerMessage);
    } else if (message.type === "stop") {
      await api.close();
      await verifier.close();
      process.exit(0);
    }
  });
  process.send!({ type: "ready", url: api.url } satisfies BenchServerMessage);
}

/** The primary of a multi-process server: forks the workers, answers "usage" with their CPU time summed (and its own). */
async function startWorkers(config: BenchServerConfig): Promise<void> {
  if (config.mode === "memory" || config.mode === "memory-sync") throw new Error("several workers need a shared (Redis) nonce store");
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
  const workers: Worker[] = [];
  let url = "";
  for (let i = 0; i < config.workers!; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    url = await new Promise<string>((resolve, reject) => {
      worker.once("message", (message: BenchServerMessage) => (message.type === "ready" ? resolve(message.url) : reject(new Error(JSON.stringify(message)))));
      worker.send({ ...config, workers: 1 });
    });
  }
  const ask = (worker: Worker) =>
    new Promise<{ cpuSeconds: number; rssBytes: number }>((resolve) => {
      const onMessage = (message: BenchServerMessage) => {
        if (message.type !== "usage") return;
        worker.off("message", onMessage);
        resolve(message);
      };
      worker.on("message", onMessage);
      worker.send({ type: "usage" });
    });
  process.on("message", async (message: { type: string }) => {
    if (message.type === "usage") {
      const all = await Promise.all(workers.map(ask));
      const own = process.cpuUsage();
      process.send!({
        type: "usage",
        cpuSeconds: all.reduce((sum, u) => sum + u.cpuSeconds, (own.user + own.system) / 1e6),
        rssBytes: all.reduce((sum, u) => sum + u.rssBytes, process.memoryUsage().rss),
      } satisfies BenchServerMessage);
    } else if (message.type === "stop") {
      await Promise.all(workers.map((w) => new Promise((resolve) => (w.once("exit", resolve), w.send({ type: "stop" })))));
      process.exit(0);
    }
  });
  process.send!({ type: "ready", url } satisfies BenchServerMessage);
}

async function verifierFor({ mode, key, redisUrl, redisCluster, maxAgeSeconds, rawCheck }: BenchServerConfig): Promise<Verifier> {
  // The same server with verification taken out: every request is let through as the key.
  const accepted: VerifySuccess = { ok: true, keyId: key.keyId, owner: undefined, label: "bench", version: 1, scopes: key.scopes, alg: "ed25519" };
  if (mode === "bare") return { verify: async () => accepted, close: async () => {} };
  if (mode === "raw" || mode === "raw-sync") {
    if (!rawCheck) throw new Error(`mode ${mode} needs rawCheck`);
    const publicKey = createPublicKey({ key: key.publicKey as never, format: "jwk" });
    const data = Buffer.from(rawCheck.data, "base64");
    const signature = Buffer.from(rawCheck.signature, "base64");
    const failed = () => new Error("bench: the raw check's signature does not verify");
    if (mode === "raw-sync") {
      return {
        verify: async () => {
          if (!cryptoVerify(null, data, publicKey, signature)) throw failed();
          return accepted;
        },
        close: async () => {},
      };
    }
    return {
      verify: () =>
        new Promise((resolve, reject) =>
          cryptoVerify(null, data, publicKey, signature, (error, ok) => (error || !ok ? reject(error ?? failed()) : resolve(accepted))),
        ),
      close: async () => {},
    };
  }
  const keys = staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: key.scopes, label: "bench", version: 1 } });
  if (mode === "memory" || mode === "memory-sync") return createVerifier({ keys, nonces: memoryNonceStore(), maxAgeSeconds, threadPool: mode === "memory" });
  if (mode === "redis-cluster" && !redisCluster?.length) throw new Error("mode redis-cluster needs redisCluster");
  if ((mode === "redis" || mode === "redis-workers") && !redisUrl) throw new Error(`mode ${mode} needs redisUrl`);
  // Every server gets the same pre-signed requests: a prefix per mode keeps their nonces apart in one Redis.
  const keyPrefix = `kl:n:${mode}:`;
  const nonces = mode === "redis-cluster" ? redisNonceStore({ cluster: redisCluster!, keyPrefix }) : redisNonceStore({ url: redisUrl!, keyPrefix });
  await nonces.ready();
  return createVerifier({ keys, nonces, maxAgeSeconds });
}
