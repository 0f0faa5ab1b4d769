import type { RateLimit } from "./createRateLimiter.ts";

/** `limit/window` as the server's flags take it: "10/1m", "120/60s", "5/30" (seconds); undefined when malformed. */
export function parseRateLimit(text: string): RateLimit | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*(s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowSeconds = Number(match[2]) * { s: 1, m: 60, h: 3600 }[(match[3] ?? "s") as "s" | "m" | "h"];
  if (!Number.isSafeInteger(limit) || limit < 1 || !(windowSeconds > 0)) return undefined;
  return { limit, windowSeconds };
}
