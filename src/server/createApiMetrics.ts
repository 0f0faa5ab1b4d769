import { verifierReasonList } from "../verifier/reasons.ts";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type ApiChainStatus = { blockNumber: number | undefined; ageSeconds: number; stale: boolean; keys: number };

export type CreateApiMetricsParameters = {
  /** Registry to register into (default: a new one, so two servers in a process never clash). */
  registry?: Registry | undefined;
  /** The chain index's state, exported as gauges on every scrape. */
  chainStatus?: (() => ApiChainStatus) | undefined;
  /** Node.js process metrics (memory, event loop lag, ...). Default true. */
  processMetrics?: boolean | undefined;
  /**
   * The routes the server verifies. Their rejection series are created at 0 for every
   * verifier reason, so the first rejection is an increase that `increase()`/`rate()`
   * see (a counter series born at 1 hides its first event from alert rules). Bounded:
   * routes × reasons.
   */
  routes?: readonly string[] | undefined;
  /**
   * Distinct key ids given their own per-key series (default 1,000); keys verified
   * after that are counted together under `key_id="other"`. Every key id is a series
   * pair kept for the life of the process, so an unbounded set would grow the scrape
   * and the Prometheus TSDB with the number of registered keys.
   */
  maxKeySeries?: number | undefined;
};

/** A verified request's key, as the metrics label it. */
export type VerifiedKey = { keyId: string; version?: number | undefined; label?: string | undefined; expiresAt?: number | undefined };

export type ApiMetrics = {
  readonly registry: Registry;
  verified(route: string, key: VerifiedKey, nowMs: number): void;
  /**
   * A rejected request; `keyId` only when it names a registered key (the verifier's
   * failure carries it then): counted per key for the reasons the burst alerts watch.
   */
  rejected(route: string, reason: string, keyId?: string | undefined): void;
  /** Every answered request, authenticated or not. */
  observe(route: string, method: string, status: number, seconds: number): void;
  /** A signed operation the relayer submitted: `result` mined, pending or reverted. */
  relayed(operation: string, result: string): void;
  /** A signed operation the relayer refused before sending, by its error code. */
  relayRefused(operation: string, reason: string): void;
};

/**
 * The reference server's Prometheus metrics. Per-key series exist only for
 * verified requests: a rejected request's key id is attacker-chosen and would
 * let anyone create unbounded series, so rejections are counted by reason only.
 */
export function createApiMetrics({
  registry = new Registry(),
  chainStatus,
  processMetrics = true,
  maxKeySeries = 1_000,
  routes = [],
}: CreateApiMetricsParameters = {}): ApiMetrics {
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const verifiedTotal = new Counter({
    name: "keyledger_api_requests_verified_total",
    help: "Requests whose signature the verifier accepted, by route.",
    labelNames: ["route"],
    registers: [registry],
  });
  const rejectedTotal = new Counter({
    name: "keyledger_api_requests_rejected_total",
    help: "Requests the verifier rejected, by route and reason (key-revoked, replayed-nonce, ...).",
    labelNames: ["route", "reason"],
    registers: [registry],
  });
  for (const route of routes) for (const reason of verifierReasonList) rejectedTotal.labels(route, reason).inc(0);
  const keyRequests = new Counter({
    name: "keyledger_api_key_requests_total",
    help: 'Verified requests per key id and lineage version (keys beyond the series cap under key_id="other").',
    labelNames: ["key_id", "version", "label"],
    registers: [registry],
  });
  const keyLastUsed = new Gauge({
    name: "keyledger_api_key_last_used_timestamp_seconds",
    help: "Unix time of the last verified request per key id and version: shows when an old version stops being used.",
    labelNames: ["key_id", "version", "label"],
    // Across cluster workers the newest use counts; the default (sum) would add timestamps.
    aggregator: "max",
    registers: [registry],
  });
  // The version as a value, so alert rules can compare versions of one label (PromQL cannot compare label values).
  const keyVersion = new Gauge({
    name: "keyledger_api_key_version",
    help: "Lineage version of each key id that served a verified request (same series cap as the per-key counters).",
    labelNames: ["key_id", "label"],
    aggregator: "max",
    registers: [registry],
  });
  // Per-key bursts of the reasons that point at a leaked key or a replay. Only ids of
  // registered keys reach here (the verifier names no unknown id), under their own cap,
  // so probing many registered keys cannot push verified keys out of their series.
  const keyRejected = new Counter({
    name: "keyledger_api_key_rejected_total",
    help: 'Rejections of requests that named a registered key, by key id and reason (bad-signature, replayed-nonce, key-revoked, key-suspended; beyond the cap under key_id="other").',
    labelNames: ["key_id", "reason"],
    registers: [registry],
  });
  // For the "expires soon" alert (same series cap): judged against time() by the rule.
  const keyExpires = new Gauge({
    name: "keyledger_api_key_expires_timestamp_seconds",
    help: "When each key id that served a verified request stops being valid (unix seconds; same series cap as the per-key counters).",
    labelNames: ["key_id", "label"],
    aggregator: "max",
    registers: [registry],
  });
  const duration = new Histogram({
    name: "keyledger_api_request_duration_seconds",
    help: "Time to answer a request (verification included), by route, method and status.",
    labelNames: ["route", "method", "status"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // Labels are bounded: operation is one of the five (or "invalid"), result one of three,
  // reason one of the relayer's codes or the registry's custom error names.
  const relayedTotal = new Counter({
    name: "keyledger_relay_operations_total",
    help: "Signed registry operations the relayer submitted, by operation (register, rotate, ...) and result (mined, pending, reverted).",
    labelNames: ["operation", "result"],
    registers: [registry],
  });
  const relayRefusedTotal = new Counter({
    name: "keyledger_relay_refused_total",
    help: "Signed registry operations the relayer refused without sending, by operation and reason (invalid-field, nonce-used, rate-limited, InvalidSignature, ...).",
    labelNames: ["operation", "reason"],
    registers: [registry],
  });
  if (chainStatus) {
    new Gauge({
      name: "keyledger_chain_index_block",
      help: "Newest block the chain key index reflects.",
      registers: [registry],
      // Across cluster workers (each has its own index), the laggard's view.
      aggregator: "min",
      collect() {
        const block = chainStatus().blockNumber;
        if (block !== undefined) this.set(block);
      },
    });
    new Gauge({
      name: "keyledger_chain_index_age_seconds",
      help: "Seconds since the chain key index last reached the chain head.",
      registers: [registry],
      aggregator: "max",
      collect() {
        const age = chainStatus().ageSeconds;
        if (Number.isFinite(age)) this.set(age);
      },
    });
    new Gauge({
      name: "keyledger_chain_index_stale",
      help: "1 while the chain key index is stale (every request is then rejected with stale-chain-state).",
      registers: [registry],
      // 1 when any worker is stale: its share of the traffic is being refused.
      aggregator: "max",
      collect() {
        this.set(chainStatus().stale ? 1 : 0);
      },
    });
    new Gauge({
      name: "keyledger_chain_index_keys",
      help: "Key ids in the chain key index.",
      registers: [registry],
      aggregator: "min",
      collect() {
        this.set(chainStatus().keys);
      },
    });
  }
  const keyIds = new Set<string>();
  const rejectedKeyIds = new Set<string>();
  return {
    registry,
    verified(route, key, nowMs) {
      verifiedTotal.inc({ route });
      if (!keyIds.has(key.keyId) && keyIds.size < maxKeySeries) keyIds.add(key.keyId);
      const labels = keyIds.has(key.keyId)
        ? { key_id: key.keyId, version: key.version === undefined ? "" : String(key.version), label: key.label ?? "" }
        : otherKeys;
      keyRequests.inc(labels);
      keyLastUsed.set(labels, Math.floor(nowMs / 1000));
      if (labels !== otherKeys && key.version !== undefined) keyVersion.set({ key_id: labels.key_id, label: labels.label }, key.version);
      if (labels !== otherKeys && key.expiresAt !== undefined) keyExpires.set({ key_id: labels.key_id, label: labels.label }, key.expiresAt);
    },
    rejected(route, reason, keyId) {
      rejectedTotal.inc({ route, reason });
      if (keyId === undefined || !perKeyReasons.has(reason)) return;
      if (!rejectedKeyIds.has(keyId) && rejectedKeyIds.size < maxKeySeries) {
        rejectedKeyIds.add(keyId);
        // Born at 0 so that increase() counts the first rejection too.
        for (const r of perKeyReasons) keyRejected.labels(keyId, r).inc(0);
      }
      keyRejected.inc({ key_id: rejectedKeyIds.has(keyId) ? keyId : "other", reason });
    },
    observe(route, method, status, seconds) {
      duration.observe({ route, method, status: String(status) }, seconds);
    },
    relayed(operation, result) {
      relayedTotal.inc({ operation, result });
    },
    relayRefused(operation, reason) {
      relayRefusedTotal.inc({ operation, reason });
    },
  };
}

const otherKeys = { key_id: "other", version: "", label: "" };
const perKeyReasons = new Set(["bad-signature", "replayed-nonce", "key-revoked", "key-suspended"]);
