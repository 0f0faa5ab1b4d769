import type { VerifyFailure } from "../verifier/types.ts";
import type { ApiChainStatus } from "./createApiMetrics.ts";

export type CreateApiEventsParameters = {
  /** Where events go, e.g. a webhook sender's `send`. */
  emit: (type: string, data: Record<string, unknown>) => void;
  /** Failures of one key (bad-signature, replayed-nonce, digest-mismatch) within a window that raise one event. Default 10. */
  burstThreshold?: number | undefined;
  /** Default 60: each kind of event fires at most once per key per window. */
  windowSeconds?: number | undefined;
  /** Keys tracked per window (memory bound under a flood of distinct keys); default 10,000. */
  maxKeys?: number | undefined;
  /** ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
};

export type ApiEvents = {
  /** Every rejected request. */
  rejected(route: string, failure: VerifyFailure): void;
  /** The chain index's state, sampled now and then: stale / recovered transitions become events. */
  chain(status: ApiChainStatus & { ready: boolean }): void;
};

const burstReasons = new Set(["bad-signature", "replayed-nonce", "digest-mismatch"]);

/**
 * Turns the reference server's rejections and chain state into alert events:
 * `api.revoked-key-used` / `api.suspended-key-used` (a retired key still in use),
 * `api.signature-failures` (a burst of forged or replayed requests naming one key:
 * a leak or a replay attack), `api.chain-stale` / `api.chain-recovered`. Per key
 * only for keys the registry knows (the verifier names the key only then), at most
 * one event per kind and key per window, and at most `maxKeys` keys per window,
 * so hostile traffic cannot turn into an event flood.
 */
export function createApiEvents({ emit, burstThreshold = 10, windowSeconds = 60, maxKeys = 10_000, now = Date.now }: CreateApiEventsParameters): ApiEvents {
  let windowStart = now();
  let counts = new Map<string, number>();
  let fired = new Set<string>();
  let stale: boolean | undefined;

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
      if (!burstReasons.has(failure.reason)) return;
      const tag = `${failure.reason} ${keyId}`;
      if (!counts.has(tag) && counts.size >= maxKeys) return;
      const count = (counts.get(tag) ?? 0) + 1;
      counts.set(tag, count);
      if (count >= burstThreshold) once(`burst ${tag}`, "api.signature-failures", { keyId, reason: failure.reason, count, windowSeconds, route });
    },
    chain(status) {
      if (!status.ready) return;
      if (status.stale && stale !== true) emit("api.chain-stale", { blockNumber: status.blockNumber ?? null, ageSeconds: Number.isFinite(status.ageSeconds) ? status.ageSeconds : null });
      if (!status.stale && stale === true) emit("api.chain-recovered", { blockNumber: status.blockNumber ?? null });
      stale = status.stale;
    },
  };
}
