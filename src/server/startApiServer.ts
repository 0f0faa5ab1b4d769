import type { Server } from "node:http";
import { resolve } from "node:path";
import { type ChainKeyResolver, chainKeyResolver } from "../chain/chainKeyResolver.ts";
import { type DeploymentManifest, loadManifest } from "../chain/manifest.ts";
import type { KeyFile } from "../keys/index.ts";
import { readKeyFile } from "../signer/node.ts";
import { createWebhookSender, type WebhookSender } from "../webhooks/index.ts";
import { createApiEvents } from "./createApiEvents.ts";
import { BaseError } from "../errors/BaseError.ts";
import { memoryNonceStore } from "../nonces/memoryNonceStore.ts";
import { redisNonceStore } from "../nonces/redisNonceStore.ts";
import type { NonceStore } from "../nonces/types.ts";
import { createVerifier } from "../verifier/createVerifier.ts";
import type { ApiMetrics } from "./createApiMetrics.ts";
import { createApiServer } from "./createApiServer.ts";
import { createChainClock } from "./createChainClock.ts";
import type { Account, Address } from "viem";
import type { RateLimit } from "./relay/createRateLimiter.ts";
import { createRelayer } from "./relay/createRelayer.ts";

export type StartApiServerParameters = {
  /** JSON-RPC endpoint of the chain holding the registry. */
  rpcUrl: string;
  /** The deployment; default: read from `manifestPath`. */
  manifest?: DeploymentManifest | undefined;
  /** Default `deployments/<chainId>.json` under the working directory. */
  manifestPath?: string | undefined;
  /** Shared nonce store (several server processes); default: an in-process memory store. */
  redisUrl?: string | undefined;
  /** Redis Cluster seed nodes (`host:port`) for the shared nonce store; exclusive with `redisUrl`. */
  redisCluster?: string[] | undefined;
  /** Default 8787 (the dev stack's port); 0 picks a free one. */
  port?: number | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Public origin clients sign for, behind a proxy (see `createApiServer`). */
  origin?: string | undefined;
  /** Fail closed after this long without a chain sync. Default 30. */
  maxStalenessSeconds?: number | undefined;
  /** How long to wait for the first index backfill before serving (requests answer 503 meanwhile). Default 30 s. */
  readyTimeoutMs?: number | undefined;
  /** The verifier's clock, ms since the epoch (default `Date.now`): signature freshness, nonces, metrics. */
  now?: (() => number) | undefined;
  /**
   * Which clock judges key windows (notBefore/expiresAt): "wall" (default, production: the
   * machine's NTP-synced time, the same clock signers stamp requests with) or "chain" (the
   * latest block's time; the dev stack, whose chain moves ahead by time travel).
   */
  clock?: "wall" | "chain" | undefined;
  /**
   * POST alert events (see `createApiEvents`) to `url`, signed with the key file at
   * `keyPath` (KeyLedger's RFC 9421 profile; receivers verify with its public key).
   */
  webhook?: { url: string; keyPath: string } | undefined;
  /**
   * Enables `POST /v1/relay` (off by default): signed registry operations submitted from
   * `account`, a local account (private key) or an unlocked node account's address (dev
   * chain). Rate limits default to 10 operations per owner and 120 in all per minute.
   */
  relay?:
    | {
        account: Account | Address;
        ownerRateLimit?: RateLimit | undefined;
        globalRateLimit?: RateLimit | undefined;
        receiptTimeoutMs?: number | undefined;
      }
    | undefined;
  /** Progress lines (no secrets). */
  log?: ((line: string) => void) | undefined;
};

export type StartApiServerReturnType = {
  url: string;
  resolver: ChainKeyResolver;
  server: Server;
  metrics: ApiMetrics;
  /** Stops the server, the chain index and the nonce store. */
  close(): Promise<void>;
};

/**
 * The reference API wired to a chain: manifest + RPC -> chain key resolver ->
 * verifier (memory or Redis nonces) -> HTTP server. `npm start` (scripts/dev.ts)
 * and `node src/server/main.ts` both start it through this function.
 */
export async function startApiServer(parameters: StartApiServerParameters): Promise<StartApiServerReturnType> {
  const { rpcUrl, redisUrl, redisCluster, port = 8787, host = "127.0.0.1", origin, maxStalenessSeconds, readyTimeoutMs = 30_000, now, clock = "wall", log = () => {} } = parameters;
  if (redisUrl && redisCluster) {
    throw new BaseError("Pass either redisUrl or redisCluster, not both.", {
      metaMessages: ["One nonce store is shared by every server process; choose the single Redis or the cluster."],
    });
  }
  // Before anything that needs closing: a bad key file or URL fails the start cleanly.
  const webhook = parameters.webhook ? openWebhook(parameters.webhook, log) : undefined;
  const manifest =
    parameters.manifest ??
    loadManifest({ path: resolve(parameters.manifestPath ?? `deployments/${await chainIdOf(rpcUrl)}.json`) });
  const resolver = chainKeyResolver({ manifest, rpcUrl, maxStalenessSeconds });
  const chainClock = clock === "chain" ? createChainClock({ rpcUrl }) : undefined;
  if (chainClock) await Promise.race([chainClock.ready(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  const keyClock = chainClock?.now;
  let nonces: NonceStore & { close(): Promise<void> };
  if (redisUrl || redisCluster) {
    const store = redisCluster ? redisNonceStore({ cluster: redisCluster, now }) : redisNonceStore({ url: redisUrl!, now });
    nonces = store;
    await Promise.race([store.ready(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  } else nonces = memoryNonceStore({ now });
  const verifier = createVerifier({ keys: resolver, nonces, now, keyClock });
  // Judges pasted requests for the dApp's Look-up page without using up their nonces.
  // It shares the resolver without owning it (only `verifier.close()` closes it).
  const inspector = createVerifier({ keys: { resolve: (keyId) => resolver.resolve(keyId) }, nonces: { checkAndStore: () => "stored" }, now, keyClock });
  try {
    let timer: NodeJS.Timeout | undefined;
    const backfilled = resolver.ready().then(() => true);
    // After the timeout nobody awaits it; a later rejection is reported by status() instead.
    backfilled.catch(() => undefined);
    const ready = await Promise.race([
      backfilled,
      new Promise<false>((r) => (timer = setTimeout(() => r(false), readyTimeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (!ready) log(`warning: the chain index is not ready after ${readyTimeoutMs} ms; requests answer 503 stale-chain-state until it is`);
    const events = webhook ? createApiEvents({ emit: (type, data) => void webhook.send(type, data), now }) : undefined;
    const relay = parameters.relay;
    const relayer = relay
      ? createRelayer({
          rpcUrl,
          chainId: manifest.chainId,
          registry: manifest.contracts.KeyRegistry.address,
          account: relay.account,
          ownerRateLimit: relay.ownerRateLimit,
          globalRateLimit: relay.globalRateLimit,
          receiptTimeoutMs: relay.receiptTimeoutMs,
        })
      : undefined;
    const api = await createApiServer({ verifier, inspector, port, host, origin, chain: resolver, now, events, relayer });
    log(
      `KeyLedger API on ${api.url} (chain ${manifest.chainId}, registry ${manifest.contracts.KeyRegistry.address}, nonces ${redisCluster ? "redis cluster" : redisUrl ? "redis" : "memory"}, key windows by the ${clock} clock)`,
    );
    if (relay && relayer) {
      const rate = (r: RateLimit | undefined, fallback: string) => (r ? `${r.limit}/${r.windowSeconds}s` : fallback);
      log(
        `Relaying signed registry operations on ${api.url}/v1/relay from ${relayer.address} (per owner ${rate(relay.ownerRateLimit, "10/60s")}, overall ${rate(relay.globalRateLimit, "120/60s")})`,
      );
    }
    return {
      url: api.url,
      resolver,
      server: api.server,
      metrics: api.metrics,
      close: async () => {
        await api.close();
        await verifier.close();
        await inspector.close();
        await webhook?.close();
        chainClock?.close();
      },
    };
  } catch (error) {
    chainClock?.close();
    await verifier.close();
    await inspector.close();
    throw error;
  }
}

function openWebhook({ url, keyPath }: { url: string; keyPath: string }, log: (line: string) => void): WebhookSender {
  let key: KeyFile;
  try {
    key = readKeyFile({ path: keyPath, passphrase: process.env.KEYLEDGER_KEY_PASSPHRASE || undefined });
  } catch (cause) {
    throw new BaseError(`Cannot use the webhook key file ${keyPath}: ${(cause as BaseError).shortMessage ?? (cause as Error).message}`, { cause });
  }
  return createWebhookSender({
    url,
    key,
    // The URL may carry a receiver's token in its path: log its origin only.
    onDelivery: (d) => d.delivered || log(`warning: webhook ${d.event.type} to ${new URL(url).origin} not delivered after ${d.attempts} attempt(s): ${d.error}`),
  });
}

async function chainIdOf(rpcUrl: string): Promise<number> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
    const { result } = (await response.json()) as { result?: string };
    if (typeof result !== "string") throw new Error("no result");
    return Number(BigInt(result));
  } catch (cause) {
    throw new BaseError(`Cannot reach the RPC node at ${rpcUrl} to find its chain id.`, { cause });
  }
}
