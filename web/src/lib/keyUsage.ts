import type { PrometheusSample } from "./parsePrometheus.ts";

export type KeyUsage = { requests: number; lastUsed: number | undefined };

/** The reference API's per-key series (see src/server/createApiMetrics.ts). */
export const keyMetricNames = {
  requests: "keyledger_api_key_requests_total",
  lastUsed: "keyledger_api_key_last_used_timestamp_seconds",
} as const;

/** Verified requests and last use per key id (lower-case hex), summed over the other labels. */
export function keyUsage(samples: readonly PrometheusSample[]): Map<string, KeyUsage> {
  const out = new Map<string, KeyUsage>();
  for (const s of samples) {
    const keyId = s.labels.key_id?.toLowerCase();
    if (!keyId || !Number.isFinite(s.value)) continue;
    const usage = out.get(keyId) ?? { requests: 0, lastUsed: undefined };
    if (s.name === keyMetricNames.requests) usage.requests += s.value;
    else if (s.name === keyMetricNames.lastUsed) usage.lastUsed = Math.max(usage.lastUsed ?? 0, s.value);
    else continue;
    out.set(keyId, usage);
  }
  return out;
}
