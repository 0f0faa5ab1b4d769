export type RateLimit = {
  /** Operations allowed per window (the bucket's size: a burst of this many passes at once). */
  limit: number;
  /** Window length in seconds: the bucket refills `limit` tokens per `windowSeconds`, continuously. */
  windowSeconds: number;
};

export type CreateRateLimiterParameters = RateLimit & {
  /** Clock in ms since the epoch (default `Date.now`). */
  now?: (() => number) | undefined;
  /**
   * Buckets held before the full ones are swept out (default 100,000). Only keys that took a
   * token within the last window are held; the relayer's global cap bounds how many those are.
   */
  maxKeys?: number | undefined;
};

export type RateLimiter = {
  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Gives back a token taken by `take` (the operation was refused by a later limit). */
  refund(key: string): void;
  /** Buckets held (keys not full yet). */
  size(): number;
};

/**
 * A token bucket per key: `limit` operations at once, refilled at `limit / windowSeconds`
 * per second. A key whose bucket is full again is forgotten, so idle keys cost nothing.
 */
export function createRateLimiter({ limit, windowSeconds, now = Date.now, maxKeys = 100_000 }: CreateRateLimiterParameters): RateLimiter {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
  if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds)) throw new RangeError(`rate limit window must be a positive number of seconds, got ${windowSeconds}`);
  const perMs = limit / (windowSeconds * 1000);
  const buckets = new Map<string, { tokens: number; at: number }>();

  function level(key: string, t: number): number {
    const b = buckets.get(key);
    return b ? Math.min(limit, b.tokens + (t - b.at) * perMs) : limit;
  }

  function sweep(t: number): void {
    for (const [key] of buckets) if (level(key, t) >= limit) buckets.delete(key);
  }

  return {
    take(key) {
      const t = now();
      const tokens = level(key, t);
      if (tokens < 1) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
      if (!buckets.has(key) && buckets.size >= maxKeys) sweep(t);
      buckets.set(key, { tokens: tokens - 1, at: t });
      return { ok: true };
    },
    refund(key) {
      const t = now();
      const b = buckets.get(key);
      if (b) buckets.set(key, { tokens: Math.min(limit, level(key, t) + 1), at: t });
    },
    size: () => buckets.size,
  };
}
