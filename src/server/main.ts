#!/usr/bin/env node
// The reference API server as a process: `node src/server/main.ts [--port n] [--redis url | --redis-cluster nodes] [--workers n]`.
import { parseArgs } from "node:util";
import { type Account, type Address, createWalletClient, http, isHex } from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { BaseError } from "../errors/BaseError.ts";
import { parseRateLimit } from "./relay/parseRateLimit.ts";
import { startApiCluster } from "./startApiCluster.ts";
import { startApiServer } from "./startApiServer.ts";

const help = `Usage: node src/server/main.ts [options]

Starts the KeyLedger reference API (GET /v1/prices needs read, POST /v1/orders needs
trade, GET /healthz, GET /metrics; with --relay, POST /v1/relay) against the registry of a chain.

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

Relayer (POST /v1/relay; OFF by default; \`npm start\` turns it on with dev account 10):
  --relay                enable POST /v1/relay: submit owners' EIP-712 signed registry operations
                         (register, rotate, revoke, extendOverlap, setRotator) and pay their gas
                         (default $KEYLEDGER_RELAY=1). Needs a relayer account:
                         $KEYLEDGER_RELAYER_PRIVATE_KEY (hex; never a flag, never logged) or
  --relayer-dev-account <n>
                         the node's unlocked account n (local dev chain only)
  --relay-owner-limit <n/window>
                         relayed operations per owner (default $KEYLEDGER_RELAY_OWNER_LIMIT or 10/1m)
  --relay-global-limit <n/window>
                         relayed operations in all (default $KEYLEDGER_RELAY_GLOBAL_LIMIT or 120/1m);
                         windows in s, m or h. Single worker only. See docs/api.md
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
        relay: { type: "boolean" },
        "relayer-dev-account": { type: "string" },
        "relay-owner-limit": { type: "string" },
        "relay-global-limit": { type: "string" },
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
  const rpcUrl = (values.rpc as string | undefined) ?? env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545";
  let relay: Awaited<ReturnType<typeof relayOptions>>;
  try {
    relay = await relayOptions(values, rpcUrl);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (relay && workers !== 1) {
    process.stderr.write("--relay runs in a single process: its per-owner queue, rate limits and transaction nonces are per process (drop --workers).\n");
    return 2;
  }
  const server = {
    rpcUrl,
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
        ? await startApiServer({ ...server, relay })
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

/**
 * The relayer's account and limits from the flags and the environment. The private key is
 * read from $KEYLEDGER_RELAYER_PRIVATE_KEY only, and no message ever quotes it.
 */
async function relayOptions(values: Record<string, string | boolean | undefined>, rpcUrl: string) {
  const env = process.env;
  const devAccount = values["relayer-dev-account"] as string | undefined;
  const enabled = values.relay === true || env.KEYLEDGER_RELAY === "1" || env.KEYLEDGER_RELAY === "true";
  if (!enabled) {
    if (devAccount !== undefined) throw new Error("--relayer-dev-account needs --relay.");
    return undefined;
  }
  const limit = (flag: string, variable: string, fallback: string) => {
    const text = (values[flag] as string | undefined) ?? env[variable] ?? fallback;
    const parsed = parseRateLimit(text);
    if (!parsed) throw new Error(`--${flag} must be <count>/<window>, e.g. 10/1m, got "${text}".`);
    return parsed;
  };
  const ownerRateLimit = limit("relay-owner-limit", "KEYLEDGER_RELAY_OWNER_LIMIT", "10/1m");
  const globalRateLimit = limit("relay-global-limit", "KEYLEDGER_RELAY_GLOBAL_LIMIT", "120/1m");
  let account: Account | Address;
  if (devAccount !== undefined) {
    if (!/^\d+$/.test(devAccount)) throw new Error(`--relayer-dev-account must be an account number, got "${devAccount}".`);
    let accounts: Address[];
    try {
      accounts = await createWalletClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }) }).getAddresses();
    } catch {
      throw new Error(`Cannot list the unlocked accounts of ${rpcUrl} for --relayer-dev-account.`);
    }
    const address = accounts[Number(devAccount)];
    if (!address) throw new Error(`The node has ${accounts.length} unlocked accounts; --relayer-dev-account ${devAccount} does not exist.`);
    account = address;
  } else {
    const text = env.KEYLEDGER_RELAYER_PRIVATE_KEY?.trim();
    if (!text) throw new Error("--relay needs a relayer account: set KEYLEDGER_RELAYER_PRIVATE_KEY, or --relayer-dev-account <n> on a dev chain.");
    const key = text.startsWith("0x") ? text : `0x${text}`;
    if (!isHex(key) || key.length !== 66) throw new Error("KEYLEDGER_RELAYER_PRIVATE_KEY does not hold a 32-byte hex private key.");
    try {
      // The nonce manager hands out the relayer's transaction nonces without a round trip race.
      account = privateKeyToAccount(key, { nonceManager });
    } catch {
      throw new Error("KEYLEDGER_RELAYER_PRIVATE_KEY does not hold a valid secp256k1 private key.");
    }
  }
  return { account, ownerRateLimit, globalRateLimit };
}

process.exitCode = await main();
