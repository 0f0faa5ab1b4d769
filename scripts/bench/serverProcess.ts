// Child process of the server benchmark: the reference API server (createApiServer)
// on 127.0.0.1, alone in its process so the load generator never shares its event
// loop. Configured by the first IPC message (BenchServerConfig); answers "usage"
// with its CPU time and RSS; exits on "stop" or when the parent goes away.
import type { Hex } from "viem";
import type { Jwk } from "../../src/keys/index.ts";
import { memoryNonceStore, redisNonceStore } from "../../src/nonces/index.ts";
import { createApiServer } from "../../src/server/index.ts";
import { createVerifier, staticKeyResolver, type Verifier, type VerifySuccess } from "../../src/verifier/index.ts";

/** bare: no verification; memory / redis / redis-cluster: the default verifier (thread-pool verify); memory-sync: `threadPool: false`. */
export type BenchServerMode = "bare" | "memory" | "memory-sync" | "redis" | "redis-cluster";

export type BenchServerConfig = {
  mode: BenchServerMode;
  key: { keyId: Hex; publicKey: Jwk; scopes: string[] };
  /** Required for mode "redis". */
  redisUrl?: string | undefined;
  /** Seed nodes, required for mode "redis-cluster". */
  redisCluster?: string[] | undefined;
  maxAgeSeconds: number;
};

export type BenchServerMessage =
  | { type: "ready"; url: string }
  | { type: "usage"; cpuSeconds: number; rssBytes: number }
  | { type: "error"; message: string };

process.once("disconnect", () => process.exit(0));
process.once("message", (config: BenchServerConfig) => {
  start(config).catch((error: Error) => {
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

async function verifierFor({ mode, key, redisUrl, redisCluster, maxAgeSeconds }: BenchServerConfig): Promise<Verifier> {
  if (mode === "bare") {
    // The same server with verification taken out: every request is let through as the key.
    const accepted: VerifySuccess = { ok: true, keyId: key.keyId, owner: undefined, label: "bench", version: 1, scopes: key.scopes, alg: "ed25519" };
    return { verify: async () => accepted, close: async () => {} };
  }
  const keys = staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: key.scopes, label: "bench", version: 1 } });
  if (mode === "memory" || mode === "memory-sync") return createVerifier({ keys, nonces: memoryNonceStore(), maxAgeSeconds, threadPool: mode === "memory" });
  if (mode === "redis-cluster" && !redisCluster?.length) throw new Error("mode redis-cluster needs redisCluster");
  if (mode === "redis" && !redisUrl) throw new Error("mode redis needs redisUrl");
  const nonces = mode === "redis-cluster" ? redisNonceStore({ cluster: redisCluster! }) : redisNonceStore({ url: redisUrl! });
  await nonces.ready();
  return createVerifier({ keys, nonces, maxAgeSeconds });
}
