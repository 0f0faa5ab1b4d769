import { keyAlerts } from "../lib/keyAlerts.ts";
import { useApiMetrics } from "./useApiMetrics.ts";

/**
 * Per key, the alerts the shipped Prometheus rules would raise, from the page's readings
 * of the reference API's /metrics (`keyAlerts`; `data` is null when no API is configured).
 */
export function useKeyAlerts() {
  return useApiMetrics((scrapes) => keyAlerts({ scrapes, now: Date.now() / 1000 }));
}
