import { useQuery } from "@tanstack/react-query";
import { alertThresholds } from "../../../src/server/alertThresholds.ts";
import type { MetricsScrape } from "../lib/keyAlerts.ts";
import { parsePrometheus } from "../lib/parsePrometheus.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** How often the page reads /metrics (a counter's increase needs two readings). */
export const metricsPollMs = 5_000;

// The readings kept per API, for as long as the longest counter window: module-level, so
// moving between pages keeps the history; a reload starts it again (the tab's own watch,
// not Prometheus's). Only the per-key series are kept, so memory stays bounded by the
// API's own series cap.
const keep = Math.max(alertThresholds.keyBadSignatureBurst.windowSeconds, alertThresholds.keyReplayedNonceBurst.windowSeconds, alertThresholds.revokedOrSuspendedKeyUsed.windowSeconds);
const histories = new Map<string, MetricsScrape[]>();

/**
 * The reference API's /metrics, read every 5 s while a page shows them, as the readings of
 * the last 10 minutes (oldest first; `data` is null when no API is configured). `select`
 * derives what a page shows (usage, alerts) from one shared request.
 */
export function useApiMetrics<T>(select: (scrapes: readonly MetricsScrape[]) => T) {
  const { runtime } = useRuntime();
  return useQuery({
    queryKey: ["keyledger", "metrics", runtime.apiUrl],
    queryFn: async (): Promise<readonly MetricsScrape[] | null> => {
      if (!runtime.apiUrl) return null;
      const response = await fetch(`${runtime.apiUrl}/metrics`, { cache: "no-store" });
      if (!response.ok) throw new Error(`The reference API answered ${response.status} for /metrics.`);
      const at = Date.now() / 1000;
      const samples = parsePrometheus(await response.text()).filter((s) => s.name.startsWith("keyledger_api_key_"));
      const history = (histories.get(runtime.apiUrl) ?? []).filter((s) => s.at >= at - keep);
      history.push({ at, samples });
      histories.set(runtime.apiUrl, history);
      return [...history];
    },
    select: (scrapes) => (scrapes ? select(scrapes) : null),
    refetchInterval: metricsPollMs,
    retry: false,
  });
}
