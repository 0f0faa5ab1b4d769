import cluster, { type Worker } from "node:cluster";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { AggregatorRegistry } from "prom-client";
import { BaseError } from "../errors/BaseError.ts";
import type { StartApiServerParameters } from "./startApiServer.ts";

export type StartApiClusterParameters = Omit<StartApiServerParameters, "now" | "log" | "relay"> & {
  /** Worker processes, 1..64; each runs `startApiServer` on the same port (node:cluster shares the socket). */
  workers: number;
  /**
   * Port of the aggregated `GET /metrics` the primary serves (all workers summed).
   * The API port belongs to the workers, so the aggregate cannot live there; 0 picks
   * a free port; default: not served (each worker's own /metrics is then the only view).
   */
  metricsPort?: number | undefined;
  /** Default 127.0.0.1: like a single server's /metrics, the aggregate stays on loopback unless asked otherwise. */
  metricsHost?: string | undefined;
  /** Progress lines of the primary and the workers (no secrets). */
  log?: ((line: string) => void) | undefined;
};

export type StartApiClusterReturnType = {
  url: string;
  /** http://host:port of the aggregated metrics, when `metricsPort` was given. */
  metricsUrl: string | undefined;
  /** The live workers (replacements included), e.g. to watch or signal them. */
  workers(): { id: number; pid: number }[];
  /** Stops restarting, stops every worker (each closes its server, index and nonce store) and the metrics server. */
  close(): Promise<void>;
};

/** Primary <-> worker messages; the start parameters travel over IPC, never argv or env, so a Redis password stays out of `ps`. */
export type ClusterMessage =
  | { type: "keyledger:start"; parameters: Omit<StartApiServerParameters, "now" | "log" | "relay"> }
  | { type: "keyledger:listening"; url: string }
  | { type: "keyledger:failed"; message: string }
  | { type: "keyledger:log"; line: string }
  | { type: "keyledger:stop" };

const workerEntry = fileURLToPath(new URL("./clusterWorker.ts", import.meta.url));

/**
 * The reference API on several processes behind one port. Nonces must be shared
 * (`redisUrl`) as soon as there are two workers: the kernel hands each connection
 * to any worker, so a per-worker memory store would accept a replay sent to
 * another worker. A worker that dies is replaced after a backoff that grows with
 * consecutive quick deaths, so a crash loop does not spin the CPU. One cluster per
 * process: node:cluster's primary settings and prom-client's aggregation are process-wide.
 */
export async function startApiCluster(parameters: StartApiClusterParameters): Promise<StartApiClusterReturnType> {
  const { workers: count, metricsPort, metricsHost = "127.0.0.1", log = () => {}, ...server } = parameters;
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new BaseError(`Invalid worker count ${String(count)}.`, { details: "workers must be an integer from 1 to 64" });
  }
  if (count > 1 && !server.redisUrl && !server.redisCluster?.length) {
    throw new BaseError(`${count} workers need a shared nonce store (redisUrl or redisCluster).`, {
      metaMessages: ["With a memory store per worker, a request replayed to another worker would be accepted."],
    });
  }
  if (!cluster.isPrimary) throw new BaseError("startApiCluster must be called in the primary process.");

  cluster.setupPrimary({ exec: workerEntry, args: [] });
  // Constructed before the first fork: it installs the primary's listener for the workers' metric replies.
  const aggregator = new AggregatorRegistry();
  const live = new Map<number, Worker>();
  let closing = false;
  let quickDeaths = 0;
  let url = "";
  const restarts = new Set<NodeJS.Timeout>();

  function fork(port: number | undefined): Promise<string> {
    const worker = cluster.fork();
    live.set(worker.id, worker);
    const startedAt = Date.now();
    return new Promise((resolve, reject) => {
      worker.on("message", (message: ClusterMessage) => {
        if (message.type === "keyledger:log") log(`worker ${worker.id}: ${message.line}`);
        else if (message.type === "keyledger:listening") resolve(message.url);
        else if (message.type === "keyledger:failed") reject(new BaseError("An API worker failed to start.", { details: message.message }));
      });
      worker.once("online", () => {
        const message: ClusterMessage = { type: "keyledger:start", parameters: { ...server, port: port ?? server.port } };
        worker.send(message);
      });
      worker.once("exit", (code, signal) => {
        live.delete(worker.id);
        reject(new BaseError(`An API worker exited during start-up (${signal ?? `code ${code}`}).`));
        if (closing || !url) return;
        quickDeaths = Date.now() - startedAt < 10_000 ? quickDeaths + 1 : 0;
        const delay = Math.min(30_000, 250 * 2 ** quickDeaths);
        log(`worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting a replacement in ${delay} ms`);
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (closing) return;
          // The primary shares a socket per requested (host, port), so a replacement asks what the others asked;
          // with none left the socket is gone, and port 0 would then pick a new one: ask the known port.
          fork(live.size > 0 ? server.port : Number(new URL(url).port)).catch((error: BaseError) => log(`replacement worker failed: ${error.shortMessage}`));
        }, delay);
        restarts.add(timer);
      });
    });
  }

  async function stopWorkers(): Promise<void> {
    closing = true;
    for (const timer of restarts) clearTimeout(timer);
    await Promise.all(
      [...live.values()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            // A worker stuck in its shutdown is killed rather than left behind.
            const kill = setTimeout(() => worker.process.kill("SIGKILL"), 10_000);
            worker.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            if (worker.isConnected()) worker.send({ type: "keyledger:stop" } satisfies ClusterMessage);
            else worker.process.kill("SIGTERM");
          }),
      ),
    );
  }

  try {
    url = await fork(server.port);
    // Same requested port as the first (0 included): the primary hands them its socket.
    await Promise.all(Array.from({ length: count - 1 }, () => fork(server.port)));
  } catch (error) {
    await stopWorkers();
    throw error;
  }

  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (metricsPort !== undefined) {
    metricsServer = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "/").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      aggregator.clusterMetrics().then(
        (text) => res.writeHead(200, { "content-type": aggregator.contentType, "cache-control": "no-store" }).end(text),
        (error: Error) => res.writeHead(503, { "content-type": "text/plain" }).end(`metrics unavailable: ${error.message}\n`),
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        metricsServer!.once("error", reject);
        metricsServer!.listen(metricsPort, metricsHost, resolve);
      });
    } catch (error) {
      await stopWorkers();
      throw new BaseError(`Cannot serve the aggregated metrics on ${metricsHost}:${metricsPort}.`, { cause: error });
    }
    const address = metricsServer.address() as AddressInfo;
    metricsUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  }
  log(`KeyLedger API cluster: ${count} workers on ${url}${metricsUrl ? `, aggregated metrics on ${metricsUrl}/metrics` : ""}`);

  return {
    url,
    metricsUrl,
    workers: () => [...live.values()].filter((w) => w.process.pid !== undefined).map((w) => ({ id: w.id, pid: w.process.pid! })),
    close: async () => {
      await stopWorkers();
      if (metricsServer) {
        const closed = new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
        metricsServer.closeAllConnections();
        await closed;
      }
    },
  };
}
