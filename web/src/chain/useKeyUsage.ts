import { useQuery } from "@tanstack/react-query";
import { keyUsage } from "../lib/keyUsage.ts";
import { parsePrometheus } from "../lib/parsePrometheus.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/**
 * Requests and last use per key from the reference API's Prometheus metrics,
 * when an API is configured and running (`data` is null when none is configured).
 */
export function useKeyUsage() {
  const { runtime } = useRuntime();
  return useQuery({
    queryKey: ["keyledger", "metrics", runtime.apiUrl],
    queryFn: async () => {
      if (!runtime.apiUrl) return null;
      const response = await fetch(`${runtime.apiUrl}/metrics`, { cache: "no-store" });
      if (!response.ok) throw new Error(`The reference API answered ${response.status} for /metrics.`);
      return keyUsage(parsePrometheus(await response.text()));
    },
    refetchInterval: 5_000,
    retry: false,
  });
}
