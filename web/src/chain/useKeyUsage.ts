import { keyUsage } from "../lib/keyUsage.ts";
import { useApiMetrics } from "./useApiMetrics.ts";

/**
 * Requests and last use per key from the reference API's Prometheus metrics,
 * when an API is configured and running (`data` is null when none is configured).
 */
export function useKeyUsage() {
  return useApiMetrics((scrapes) => keyUsage(scrapes[scrapes.length - 1]!.samples));
}
