import type { VerifyFailure, VerifySuccess } from "../verifier/types.ts";
import { alertThresholds } from "./alertThresholds.ts";
import type { ApiChainStatus } from "./createApiMetrics.ts";

export type CreateApiEventsParameters = {
  /** Where events go, e.g. a webhook sender's `send`. */
  emit: (type: string, data: Record<string, unknown>) => void;
  /**
   * Failures of one key (bad-signature, replayed-nonce, digest-mismatch) within a window that
   * raise one event, for every reason. Default per reason, as the Prometheus rules fire
   * (`alertThresholds`): the 11th bad signature or digest mismatch, the 4th replayed nonce.
   */
  burstThreshold?: number | undefined;
  /** Default 300 (the rules' burst window): each kind of event fires at most once per key per window. */
  windowSeconds?: number | undefined;
  /** Keys tracked per window (memory bound under a flood of distinct keys); default 10,000. */
  maxKeys?: number | undefined;
  /** ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** A verified key expiring within this many seconds raises `api.key-expires-soon`. Default 7 days (`alertThresholds`). */
  expiresSoonSeconds?: number | undefined;
};

export type ApiEvents = {
  /** Every rejected request. */
  rejected(route: string, failure: VerifyFailure): void;
  /** Every verified request (the verdict's key): old versions still in use, keys expiring soon. */
  verified(route: string, key: VerifySuccess): void;
  /** The chain index's state, sampled now and then: stale / recovered transitions become events. */
  chain(status: ApiChainStatus & { ready: boolean }): void;
};

// "More than N" in the rules is the (N+1)th failure here. A forged body (digest-mismatch) counts like a forged signature.
const defaultBursts: Readonly<Record<string, number>> = {
  "bad-signature": alertThresholds.keyBadSignatureBurst.moreThan + 1,
  "digest-mismatch": alertThresholds.keyBadSignatureBurst.moreThan + 1,
  "replayed-nonce": alertThresholds.keyReplayedNonceBurst.moreThan + 1,
};

/**
 * Turns the reference server's rejections and chain state into alert events:
 * `api.revoked-key-used` / `api.suspended-key-used` (a retired key still in use),
 * `api.signature-failures` (a burst of forged or replayed requests naming one key:
 * a leak or a replay attack), `api.old-key-version-used` (a key version used after a
 * newer version of its label served a request: a client that did not switch after a
 * rotation), `api.key-expires-soon` (the newest version in use expires within
 * `expiresSoonSeconds`), `api.chain-stale` / `api.chain-recovered`. Per key
 * only for keys the registry knows (the verifier names the key only then), at most
 * one event per kind and key per window, and at most `maxKeys` keys per window,
 * so hostile traffic cannot turn into an event flood.
 */
export function createApiEvents({
  emit,
  burstThreshold,
  windowSeconds = alertThresholds.keyBadSignatureBurst.windowSeconds,
  maxKeys = 10_000,
  now = Date.now,
  expiresSoonSeconds = alertThresholds.expiresSoonSeconds,
}: CreateApiEventsParameters): ApiEvents {
  let windowStart = now();
  let counts = new Map<string, number>();
  let fired = new Set<string>();
  let stale: boolean | undefined;
  /** The newest version seen per label (bounded like the per-window maps). */
  const newestVersion = new Map<string, number>();
  /** Keys already warned about their expiry: once per key (not per window), bounded. */
  const expiryWarned = new Set<string>();

  const roll = (at: number) => {
    if (at - windowStart < windowSeconds * 1000) return;
    windowStart = at;
    counts = new Map();
    fired = new Set();
  };
  const once = (tag: string, type: string, data: Record<string, unknown>) => {
    if (fired.has(tag)) return;
    if (fired.size >= maxKeys) return;
    fired.add(tag);
    emit(type, data);
  };

  return {
    rejected(route, failure) {
      const keyId = failure.keyId;
      if (keyId === undefined) return;
      const at = now();
      roll(at);
      if (failure.reason === "key-revoked" || failure.reason === "key-suspended") {
        const type = failure.reason === "key-revoked" ? "api.revoked-key-used" : "api.suspended-key-used";
        once(`${type} ${keyId}`, type, { keyId, route, windowSeconds });
        return;
      }
      const byReason = defaultBursts[failure.reason];
      if (byReason === undefined) return;
      const threshold = burstThreshold ?? byReason;
      const tag = `${failure.reason} ${keyId}`;
      if (!counts.has(tag) && counts.size >= maxKeys) return;
      const count = (counts.get(tag) ?? 0) + 1;
      counts.set(tag, count);
      if (count >= threshold) once(`burst ${tag}`, "api.signature-failures", { keyId, reason: failure.reason, count, windowSeconds, route });
    },
    verified(route, key) {
      if (key.label === undefined || key.version === undefined) return;
      const at = now();
      roll(at);
      const newest = newestVersion.get(key.label);
      if (newest === undefined || key.version > newest) {
        if (newest !== undefined || newestVersion.size < maxKeys) newestVersion.set(key.label, key.version);
      } else if (key.version < newest) {
        once(`old ${key.keyId}`, "api.old-key-version-used", { keyId: key.keyId, label: key.label, version: key.version, newestVersion: newest, route });
        return;
      }
      if (key.expiresAt !== undefined && key.expiresAt * 1000 - at < expiresSoonSeconds * 1000 && !expiryWarned.has(key.keyId) && expiryWarned.size < maxKeys) {
        expiryWarned.add(key.keyId);
        emit("api.key-expires-soon", { keyId: key.keyId, label: key.label, version: key.version, expiresAt: key.expiresAt, route });
      }
    },
    chain(status) {
      if (!status.ready) return;
      if (status.stale && stale !== true) emit("api.chain-stale", { blockNumber: status.blockNumber ?? null, ageSeconds: Number.isFinite(status.ageSeconds) ? status.ageSeconds : null });
      if (!status.stale && stale === true) emit("api.chain-recovered", { blockNumber: status.blockNumber ?? null });
      stale = status.stale;
    },
  };
}
