import { alertThresholds } from "../../../src/server/alertThresholds.ts";
import type { PrometheusSample } from "./parsePrometheus.ts";

/** One reading of the reference API's /metrics: when the page took it (wall-clock seconds) and its samples. */
export type MetricsScrape = { at: number; samples: readonly PrometheusSample[] };

export type KeyAlert =
  /** An older version used within 15 min while a newer version of its label serves too. */
  | { kind: "old-version-in-use"; severity: "warning"; version: number; newestVersion: number; lastUsed: number }
  /** The newest version of its label, used within 24 h, expires within 7 days. */
  | { kind: "expires-soon"; severity: "warning"; expiresAt: number; lastUsed: number }
  /**
   * A counter that grew by more than `moreThan` within its window. `observedSeconds` is how
   * much of the window the page saw (two readings at least): less than the window while the
   * page has been open for less than it, so `count` is then a lower bound of the rule's.
   */
  | {
      kind: "bad-signature-burst" | "replayed-nonce-burst" | "revoked-key-used" | "suspended-key-used";
      severity: "warning" | "critical";
      count: number;
      moreThan: number;
      windowSeconds: number;
      observedSeconds: number;
    };

/** The reference API's per-key series the alerts read (src/server/createApiMetrics.ts). */
export const alertMetricNames = {
  version: "keyledger_api_key_version",
  lastUsed: "keyledger_api_key_last_used_timestamp_seconds",
  expires: "keyledger_api_key_expires_timestamp_seconds",
  rejected: "keyledger_api_key_rejected_total",
} as const;

const counterAlerts = [
  { kind: "bad-signature-burst", reason: "bad-signature", severity: "warning", ...alertThresholds.keyBadSignatureBurst },
  { kind: "replayed-nonce-burst", reason: "replayed-nonce", severity: "critical", ...alertThresholds.keyReplayedNonceBurst },
  { kind: "revoked-key-used", reason: "key-revoked", severity: "warning", ...alertThresholds.revokedOrSuspendedKeyUsed },
  { kind: "suspended-key-used", reason: "key-suspended", severity: "warning", ...alertThresholds.revokedOrSuspendedKeyUsed },
] as const;

/**
 * The alerts an operator's Prometheus would raise per key (ops/prometheus/keyledger.rules.yml,
 * same numbers: `alertThresholds`), computed from the page's own readings of /metrics, oldest
 * first. Gauges (versions, last use, expiry) need only the newest reading; a counter's
 * increase needs two readings inside the window, as PromQL's `increase()` does, so bursts
 * show from the second reading on and only over what the page has watched. A counter that
 * went down (the API restarted) counts from zero. The rules' `for:` delays are not applied:
 * the page shows the condition as soon as it holds. Keys are lower-case hex; ids beyond the
 * API's series cap (`key_id="other"`) are left out.
 */
export function keyAlerts({ scrapes, now }: { scrapes: readonly MetricsScrape[]; now?: number | undefined }): Map<string, KeyAlert[]> {
  const out = new Map<string, KeyAlert[]>();
  const latest = scrapes[scrapes.length - 1];
  if (!latest) return out;
  const at = now ?? latest.at;
  const add = (keyId: string, alert: KeyAlert) => out.set(keyId, [...(out.get(keyId) ?? []), alert]);

  // Gauges from the newest reading: per key its version, label, last use and expiry.
  const keys = new Map<string, { label?: string; version?: number; lastUsed?: number; expiresAt?: number }>();
  const newest = new Map<string, number>();
  for (const s of latest.samples) {
    const keyId = keyOf(s);
    if (!keyId || !Number.isFinite(s.value)) continue;
    const key = keys.get(keyId) ?? {};
    if (s.name === alertMetricNames.version) {
      key.version = Math.max(key.version ?? 0, s.value);
      key.label = s.labels.label ?? "";
      newest.set(key.label, Math.max(newest.get(key.label) ?? 0, s.value));
    } else if (s.name === alertMetricNames.lastUsed) key.lastUsed = Math.max(key.lastUsed ?? 0, s.value);
    else if (s.name === alertMetricNames.expires) key.expiresAt = Math.max(key.expiresAt ?? 0, s.value);
    else continue;
    keys.set(keyId, key);
  }
  for (const [keyId, key] of keys) {
    if (key.version === undefined || key.label === undefined || key.lastUsed === undefined) continue;
    const top = newest.get(key.label)!;
    const idle = at - key.lastUsed;
    if (key.version < top && idle < alertThresholds.oldVersionUsedWithinSeconds) {
      add(keyId, { kind: "old-version-in-use", severity: "warning", version: key.version, newestVersion: top, lastUsed: key.lastUsed });
    }
    if (key.version >= top && key.expiresAt !== undefined && key.expiresAt - at < alertThresholds.expiresSoonSeconds && idle < alertThresholds.expiresSoonUsedWithinSeconds) {
      add(keyId, { kind: "expires-soon", severity: "warning", expiresAt: key.expiresAt, lastUsed: key.lastUsed });
    }
  }

  // Counters: the increase since the oldest reading inside each window.
  for (const rule of counterAlerts) {
    const first = scrapes.find((s) => s.at >= at - rule.windowSeconds && s !== latest);
    if (!first) continue;
    const before = rejections(first.samples, rule.reason);
    for (const [keyId, value] of rejections(latest.samples, rule.reason)) {
      const old = before.get(keyId) ?? 0;
      const count = value >= old ? value - old : value;
      if (count > rule.moreThan) {
        add(keyId, { kind: rule.kind, severity: rule.severity, count, moreThan: rule.moreThan, windowSeconds: rule.windowSeconds, observedSeconds: latest.at - first.at });
      }
    }
  }
  return out;
}

function keyOf(s: PrometheusSample): string | undefined {
  const keyId = s.labels.key_id?.toLowerCase();
  return keyId && keyId !== "other" ? keyId : undefined;
}

/** Per key, its rejections for one reason (the API's per-key counter). */
function rejections(samples: readonly PrometheusSample[], reason: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== alertMetricNames.rejected || s.labels.reason !== reason) continue;
    const keyId = keyOf(s);
    if (keyId && Number.isFinite(s.value)) out.set(keyId, (out.get(keyId) ?? 0) + s.value);
  }
  return out;
}
