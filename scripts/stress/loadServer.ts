// The reference server as a child process for scripts/stress/load.ts: static keys,
// a memory nonce store of a given bound. Started with fork(); answers "stats"
// messages with its memory and its nonce store's size, so the load driver can
// watch them while it loads the server.
import { createApiServer } from "../../src/server/index.ts";
import { createVerifier, memoryNonceStore, type StaticKey, staticKeyResolver } from "../../src/verifier/index.ts";

export type LoadServerConfig = { keys: Record<string, StaticKey>; maxEntries: number; maxAgeSeconds: number };
export type LoadServerStats = { rss: number; heapUsed: number; heapTotal: number; external: number; nonceEntries: number; nonceBytes: number };
export type LoadServerMessage = { type: "listening"; url: string } | { type: "stats"; stats: LoadServerStats };

const config = JSON.parse(process.env.KEYLEDGER_LOAD_SERVER ?? "{}") as LoadServerConfig;
const nonces = memoryNonceStore({ maxEntries: config.maxEntries });
const verifier = createVerifier({ keys: staticKeyResolver(config.keys), nonces, maxAgeSeconds: config.maxAgeSeconds });
const api = await createApiServer({ verifier });

process.on("message", (message: { type: string }) => {
  if (message.type === "stats") {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    const stats: LoadServerStats = { rss, heapUsed, heapTotal, external, nonceEntries: nonces.size, nonceBytes: nonces.allocatedBytes };
    process.send?.({ type: "stats", stats } satisfies LoadServerMessage);
  } else if (message.type === "stop") {
    void api.close().finally(() => process.exit(0));
  }
});
// The driver going away (even killed) ends this process.
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "listening", url: api.url } satisfies LoadServerMessage);
