// A worker of `startApiCluster`: runs `startApiServer` with the parameters the primary sends over IPC.
import cluster from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { ClusterMessage } from "./startApiCluster.ts";
import { startApiServer, type StartApiServerReturnType } from "./startApiServer.ts";

const send = (message: ClusterMessage) => process.send?.(message);
let api: StartApiServerReturnType | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await api?.close().catch(() => undefined);
  process.exit(0);
}

process.on("message", async (message: ClusterMessage) => {
  if (message.type === "keyledger:stop") return stop();
  if (message.type !== "keyledger:start" || api) return;
  try {
    api = await startApiServer({ ...message.parameters, log: (line) => send({ type: "keyledger:log", line }) });
    // Installs this worker's reply to the primary's metric requests, for this server's registry.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries(api.metrics.registry);
    const id = String(cluster.worker?.id);
    // Which worker answered: lets operators (and the tests) see the load spread; the cluster id, not the pid.
    api.server.prependListener("request", (_req, res) => res.setHeader("keyledger-worker", id));
    send({ type: "keyledger:listening", url: api.url });
  } catch (error) {
    // Exit only once the reason reached the primary.
    process.send?.({ type: "keyledger:failed", message: (error as Error).message } satisfies ClusterMessage, undefined, {}, () => process.exit(1));
  }
});
// An orphaned worker (the primary died) must not keep serving unsupervised.
process.on("disconnect", () => void stop());
// Ctrl-C reaches the whole process group: the primary's close() stops the workers gracefully instead.
process.on("SIGINT", () => undefined);
