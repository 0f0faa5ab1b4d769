import { hash } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { BaseError } from "../errors/BaseError.ts";
import type { NonceResult } from "./types.ts";

export type RedisNonceStoreParameters = (
  | { url: string; client?: undefined; cluster?: undefined }
  | {
      /** Redis Cluster seed nodes, `host:port` or `redis://host:port`; the rest of the cluster is discovered. */
      cluster: readonly string[];
      url?: undefined;
      client?: undefined;
    }
  | { client: Redis | Cluster; url?: undefined; cluster?: undefined }
) & {
  /** Prefix of every key this store writes. Default "kl:n:". */
  keyPrefix?: string | undefined;
  /** A command that has not answered after this long counts as "unavailable". Default 250 ms. */
  timeoutMs?: number | undefined;
  /** Clock in ms since the epoch; pass the verifier's `now` so TTLs match its windows. Default `Date.now`. */
  now?: (() => number) | undefined;
};

/** A `NonceStore` whose answers always come asynchronously (a round trip to Redis). */
export type RedisNonceStore = {
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<NonceResult>;
  /** Resolves once the connection is ready (commands sent before that answer "unavailable"). */
  ready(): Promise<void>;
  /** Closes a connection this store opened; a `client` passed in stays open (its owner closes it). */
  close(): Promise<void>;
};

/** Longest nonce and key id accepted, in characters (RFC 9421 values are short tokens). */
const maxTokenLength = 256;
const printable = /^[\x20-\x7e]+$/;

/**
 * A nonce store shared by every verifier process that talks to the same Redis
 * (or Redis Cluster): one atomic `SET <key> 1 NX PX <ttl>` per (keyId, nonce).
 *
 * Key names are `<prefix><base64url(sha256(keyId "\n" nonce))[0..22)>`: fixed
 * 27 bytes whatever the request sent, and spread evenly over Cluster slots. Hash
 * tags per key id were rejected on purpose: every command touches one key, so
 * nothing needs co-location, and a tag would pin a busy key's whole traffic to one
 * shard (or, with a `{...}` inside the nonce, let the client choose the shard). 132
 * bits of SHA-256 make a collision practically impossible, and one would only
 * yield a false "replayed", never an acceptance.
 *
 * Fail closed: a Redis that is down, not yet connected or slower than `timeoutMs`
 * answers "unavailable" at once (no offline queue, no retries), never "stored".
 *
 * Limitation: the store is only as durable as Redis. A Redis that restarts
 * without persistence (or fails over to a replica that missed writes) forgets
 * the nonces it held, so a request captured before that can be replayed until
 * its window closes. Run it with `appendonly yes` and `appendfsync always`
 * (test/hardening/faults.test.ts kills such a Redis under load: every earlier
 * request is still a replay afterwards). On a Cluster that does not cover a
 * failover: the promoted replica only has what was replicated (docs/fleet.md).
 */
export function redisNonceStore(parameters: RedisNonceStoreParameters): RedisNonceStore {
  const { keyPrefix = "kl:n:", timeoutMs = 250, now = Date.now } = parameters;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new BaseError("Invalid redisNonceStore option: timeoutMs must be a positive number.", { details: String(timeoutMs) });
  }
  const owned = parameters.client === undefined;
  const connectTimeout = Math.max(1_000, timeoutMs);
  const client =
    parameters.client ??
    (parameters.cluster !== undefined
      ? new Cluster(parseSeedNodes(parameters.cluster), {
          enableAutoPipelining: true,
          enableOfflineQueue: false,
          // Rediscover the cluster soon after it comes back; until then every call fails fast.
          clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 500),
          redisOptions: { maxRetriesPerRequest: 0, commandTimeout: timeoutMs, connectTimeout },
        })
      : new Redis(parameters.url, {
          enableAutoPipelining: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: timeoutMs,
          connectTimeout,
          // Reconnect soon after Redis comes back; until then every call fails fast.
          retryStrategy: (attempt) => Math.min(50 * attempt, 500),
        }));
  // Without a listener ioredis prints every connection error; the results already
  // say "unavailable", and the error text may contain the URL (with a password).
  if (owned) {
    client.on("error", () => {});
    if (client instanceof Cluster) client.on("node error", () => {});
  }
  // A caller's client may lack a command timeout; then we bound each call ourselves.
  // A Cluster always needs our bound: its `redisOptions.commandTimeout` only limits
  // one node round trip, and while a master is down it retries "Connection is
  // closed" and CLUSTERDOWN up to `maxRedirections` times (measured: ~1.75 s per call).
  const ownTimer = client instanceof Cluster || (!owned && !client.options.commandTimeout);
  let closed = false;

  async function checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<NonceResult> {
    // Unusable request data cannot be recorded, so it cannot be accepted as fresh:
    // reject it as a replay (a client error) rather than as an outage.
    if (!validToken(keyId) || !validToken(nonce) || !Number.isFinite(expiresAtMs)) return "replayed";
    if (closed || client.status !== "ready") return "unavailable";
    const key = keyPrefix + hash("sha256", `${keyId}\n${nonce}`, "base64url").slice(0, 22);
    const ttl = Math.max(1, Math.ceil(expiresAtMs - now()));
    try {
      const set = client.set(key, "1", "PX", ttl, "NX");
      const reply = ownTimer ? await withTimeout(set, timeoutMs) : await set;
      return reply === "OK" ? "stored" : "replayed";
    } catch {
      return "unavailable";
    }
  }

  async function ready(): Promise<void> {
    if (client.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        client.off("end", onEnd);
        resolve();
      };
      const onEnd = () => {
        client.off("ready", onReady);
        reject(new BaseError("The Redis nonce store was closed before it connected."));
      };
      client.once("ready", onReady);
      client.once("end", onEnd);
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (!owned) return;
    if (client.status === "ready") {
      try {
        await client.quit();
        return;
      } catch {}
    }
    client.disconnect();
  }

  return { checkAndStore, ready, close };
}

/** `host:port` or `redis://host:port` → what `new Cluster` takes; anything else is a configuration error. */
function parseSeedNodes(seeds: readonly string[]): { host: string; port: number }[] {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new BaseError("Invalid redisNonceStore option: cluster needs at least one seed node.", {
      metaMessages: ['Pass seed nodes as "host:port" or "redis://host:port", e.g. { cluster: ["10.0.0.1:6379"] }.'],
    });
  }
  return seeds.map((seed) => {
    // Never echo a password back into logs.
    const shown = typeof seed === "string" ? seed.replace(/^([a-z]+:\/\/)?[^/@]*@/i, "$1***@") : String(seed);
    const invalid = (reason: string) =>
      new BaseError(`Invalid redisNonceStore option: cluster seed node ${JSON.stringify(shown)} ${reason}.`, {
        metaMessages: ['Expected "host:port" or "redis://host:port".'],
      });
    if (typeof seed !== "string" || seed.trim() === "") throw invalid("is empty");
    let url: URL;
    try {
      url = new URL(seed.includes("://") ? seed : `redis://${seed}`);
    } catch {
      throw invalid("is not host:port");
    }
    if (url.protocol !== "redis:") throw invalid(`has scheme ${url.protocol.slice(0, -1)} (only redis: is supported)`);
    // Credentials or a database would be silently ignored by the other nodes; refuse
    // them here and let a caller who needs them pass a configured `client`.
    if (url.username || url.password) throw invalid("carries credentials (pass a configured Cluster as `client` instead)");
    if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash) throw invalid("has a path or query (Cluster has no databases)");
    if (url.hostname === "") throw invalid("has no host");
    const port = Number(url.port);
    if (url.port === "" || !Number.isInteger(port) || port < 1 || port > 65_535) throw invalid("has no valid port");
    return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
  });
}

function validToken(value: unknown): value is string {
  return typeof value === "string" && value.length <= maxTokenLength && printable.test(value);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Redis command timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
