#!/usr/bin/env node
// The reference API server as a process: `node src/server/main.ts [--port n] [--redis url | --redis-cluster nodes] [--workers n]`.
import { parseArgs } from "node:util";
import { BaseError } from "../errors/BaseError.ts";
import { startApiCluster } from "./startApiCluster.ts";
import { startApiServer } from "./startApiServer.ts";

const help = `Usage: node src/server/main.ts [options]

Starts the KeyLedger reference API (GET /v1/prices needs read, POST /v1/orders needs
trade, GET /healthz, GET /metrics) against the registry of a chain.

Options:
  --rpc <url>            JSON-RPC endpoint (default $KEYLEDGER_RPC_URL or http://127.0.0.1:8545)
  --manifest <file>      deployment manifest (default $KEYLEDGER_MANIFEST or deployments/<chainId>.json)
  --redis <url>          shared Redis nonce store (default $KEYLEDGER_REDIS_URL; memory when unset)
  --redis-cluster <nodes>
                         shared Redis Cluster nonce store, comma-separated seed nodes host:port
                         (default $KEYLEDGER_REDIS_CLUSTER; exclusive with --redis)
  --port <n>             port (default $KEYLEDGER_API_PORT or 8787; 0 = any free port)
  --host <addr>          address to bind (default 127.0.0.1)
  --origin <url>         public origin clients sign for behind a proxy (default $KEYLEDGER_API_ORIGIN; else the Host header)
  --clock <wall|chain>   clock that judges key windows (notBefore/expiresAt): wall (default; the
                         machine's time) or chain (the latest block's time; the dev stack uses it,
                         since time travel moves its chain ahead). Default $KEYLEDGER_API_CLOCK or wall
  --max-staleness <s>    fail closed after this many seconds without a chain sync (default 30)
  --webhook <url>        POST alert events there (revoked or suspended key used, bursts of
                         signature failures, chain stale/recovered; default $KEYLEDGER_WEBHOOK_URL)
  --webhook-key <file>   key file that signs the webhooks (default $KEYLEDGER_WEBHOOK_KEY);
                         see docs/webhooks.md
  --workers <n>          worker processes sharing the port, 1..64 (default $KEYLEDGER_API_WORKERS or 1);
                         more than 1 needs --redis, and serves the workers' aggregated metrics on --metrics-port
  --metrics-port <n>     port of the aggregated GET /metrics with --workers > 1, on 127.0.0.1
                         (default $KEYLEDGER_METRICS_PORT or 9464; 0 = any free port)
  -h, --help
`;

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        rpc: { type: "string" },
        manifest: { type: "string" },
        redis: { type: "string" },
        "redis-cluster": { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        origin: { type: "string" },
        "max-staleness": { type: "string" },
        clock: { type: "string" },
        workers: { type: "string" },
        "metrics-port": { type: "string" },
        webhook: { type: "string" },
        "webhook-key": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const env = process.env;
  const portText = (values.port as string | undefined) ?? env.KEYLEDGER_API_PORT ?? "8787";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    process.stderr.write(`Invalid port "${portText}".\n`);
    return 2;
  }
  // A flag overrides the environment's choice of the other store kind too.
  const redisFlag = values.redis as string | undefined;
  const clusterFlag = values["redis-cluster"] as string | undefined;
  const redisUrl = redisFlag ?? (clusterFlag === undefined ? env.KEYLEDGER_REDIS_URL : undefined);
  const clusterText = clusterFlag ?? (redisFlag === undefined ? env.KEYLEDGER_REDIS_CLUSTER : undefined);
  const workersText = (values.workers as string | undefined) ?? env.KEYLEDGER_API_WORKERS ?? "1";
  if (!/^\d+$/.test(workersText)) {
    process.stderr.write(`Invalid worker count "${workersText}".\n`);
    return 2;
  }
  const workers = Number(workersText);
  const metricsPortText = (values["metrics-port"] as string | undefined) ?? env.KEYLEDGER_METRICS_PORT ?? "9464";
  const metricsPort = Number(metricsPortText);
  if (!/^\d+$/.test(metricsPortText) || metricsPort > 65_535) {
    process.stderr.write(`Invalid metrics port "${metricsPortText}".\n`);
    return 2;
  }
  const webhookUrl = (values.webhook as string | undefined) ?? env.KEYLEDGER_WEBHOOK_URL;
  const webhookKey = (values["webhook-key"] as string | undefined) ?? env.KEYLEDGER_WEBHOOK_KEY;
  if ((webhookUrl === undefined) !== (webhookKey === undefined)) {
    process.stderr.write("--webhook and --webhook-key (or KEYLEDGER_WEBHOOK_URL and KEYLEDGER_WEBHOOK_KEY) go together.\n");
    return 2;
  }
  const clock = (values.clock as string | undefined) ?? env.KEYLEDGER_API_CLOCK ?? "wall";
  if (clock !== "wall" && clock !== "chain") {
    process.stderr.write(`--clock must be wall or chain, got "${clock}".\n`);
    return 2;
  }
  const staleness = values["max-staleness"] === undefined ? undefined : Number(values["max-staleness"]);
  const server = {
    rpcUrl: (values.rpc as string | undefined) ?? env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545",
    manifestPath: (values.manifest as string | undefined) ?? env.KEYLEDGER_MANIFEST,
    redisUrl,
    redisCluster: clusterText === undefined ? undefined : clusterText.split(",").map((node) => node.trim()),
    port,
    host: values.host as string | undefined,
    origin: (values.origin as string | undefined) ?? env.KEYLEDGER_API_ORIGIN,
    maxStalenessSeconds: staleness,
    clock: clock as "wall" | "chain",
    webhook: webhookUrl && webhookKey ? { url: webhookUrl, keyPath: webhookKey } : undefined,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  try {
    // One worker stays in this process, as before clustering existed.
    const api =
      workers === 1
        ? await startApiServer(server)
        : await startApiCluster({ ...server, workers, metricsPort });
    process.stdout.write(`${api.url}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await api.close();
    return 0;
  } catch (error) {
    process.stderr.write(`keyledger api: ${error instanceof BaseError ? error.message : (error as Error).message}\n`);
    return 3;
  }
}

process.exitCode = await main();
