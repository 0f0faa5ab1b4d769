import { createRequire } from "node:module";
import { quantile } from "./stats.ts";

/** One request of a load run; `expectStatus` and `tag` let a caller count wrong verdicts per kind of request. */
export type LoadRequest = {
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** Path and query. */
  path: string;
  /** Sent as given (include `host` to choose the authority the server sees). */
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /** Status the server must answer; a different one counts as unexpected. */
  expectStatus?: number | undefined;
  /** Groups figures, e.g. "valid", "replayed", "forged". */
  tag?: string | undefined;
};

export type RunLoadParameters = {
  /** http://127.0.0.1:port: load goes to loopback only. */
  url: string;
  /** Keep-alive connections, one request in flight on each. Default 16. */
  connections?: number | undefined;
  /** Count bound: at most this many requests are sent. */
  maxRequests: number;
  /** Time bound, in seconds. */
  maxSeconds: number;
  /** The i-th request sent (i = 0, 1, ...; never more than maxRequests calls). */
  next: (i: number) => LoadRequest;
  /** Every response, e.g. to check a verdict beyond the status. */
  onResponse?: ((request: LoadRequest, status: number, body: string) => void) | undefined;
};

export type LoadFigures = { completed: number; statuses: Record<string, number>; unexpected: number };

export type RunLoadReturnType = LoadFigures & {
  sent: number;
  /** From the first request sent to the last response received. */
  seconds: number;
  requestsPerSecond: number;
  /** Per request, from the moment it is built and written to its response, in ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Connection errors and timeouts counted by autocannon. */
  errors: number;
  timeouts: number;
  /** Up to 5 bodies of unexpected answers, for the report. */
  unexpectedSamples: string[];
  byTag: Record<string, LoadFigures>;
};

type AutocannonRequest = {
  setupRequest: (request: Record<string, unknown>, context: LoadContext) => Record<string, unknown>;
  onResponse: (status: number, body: string, context: LoadContext) => void;
};
type LoadContext = { request?: LoadRequest; sentAt?: number };
type AutocannonResult = { errors: number; timeouts: number };
type AutocannonInstance = { stop(): void };
type Autocannon = (
  options: Record<string, unknown> & { requests: AutocannonRequest[] },
  callback: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/**
 * A bounded HTTP load run with autocannon on keep-alive connections: each
 * request comes from `next(i)` (so a pool of pre-signed requests is sent once
 * each), statuses are checked against `expectStatus`, and latency is measured
 * per request here rather than from autocannon's whole-millisecond histogram.
 * Run the server in another process: this loop needs a core of its own.
 */
export function runLoad({ url, connections = 16, maxRequests, maxSeconds, next, onResponse }: RunLoadParameters): Promise<RunLoadReturnType> {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1" && target.hostname !== "[::1]" && target.hostname !== "localhost") {
    throw new Error(`runLoad sends load to loopback only, not to ${target.hostname}`);
  }
  const latencies = new Float64Array(maxRequests);
  const total: LoadFigures = { completed: 0, statuses: {}, unexpected: 0 };
  const byTag: Record<string, LoadFigures> = {};
  const unexpectedSamples: string[] = [];
  let sent = 0;
  let firstSentAt = Number.NaN;
  let lastAnsweredAt = Number.NaN;

  const count = (figures: LoadFigures, status: number, unexpected: boolean) => {
    figures.completed++;
    figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
    if (unexpected) figures.unexpected++;
  };

  const request: AutocannonRequest = {
    setupRequest(base, context) {
      const item = next(sent);
      sent++;
      context.request = item;
      context.sentAt = performance.now();
      if (Number.isNaN(firstSentAt)) firstSentAt = context.sentAt;
      return { ...base, method: item.method, path: item.path, headers: { ...item.headers }, body: item.body ?? Buffer.alloc(0) };
    },
    onResponse(status, body, context) {
      const now = performance.now();
      const item = context.request!;
      if (total.completed < latencies.length) latencies[total.completed] = now - context.sentAt!;
      lastAnsweredAt = now;
      const unexpected = item.expectStatus !== undefined && status !== item.expectStatus;
      count(total, status, unexpected);
      if (item.tag !== undefined) count((byTag[item.tag] ??= { completed: 0, statuses: {}, unexpected: 0 }), status, unexpected);
      if (unexpected && unexpectedSamples.length < 5) unexpectedSamples.push(`${status} ${body.slice(0, 200)}`);
      onResponse?.(item, status, body);
    },
  };

  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url: target.origin,
        connections: Math.max(1, Math.min(connections, maxRequests)),
        pipelining: 1,
        amount: maxRequests,
        // How often autocannon notices it is done: keep the idle tail short.
        sampleInt: 50,
        timeout: 10,
        requests: [request],
      },
      (error, result) => {
        clearTimeout(timer);
        if (error) return reject(error);
        const seconds = (lastAnsweredAt - firstSentAt) / 1000;
        const measured = latencies.subarray(0, Math.min(total.completed, latencies.length));
        const values = Array.from(measured);
        resolve({
          ...total,
          sent,
          seconds,
          requestsPerSecond: total.completed / seconds,
          latencyMs: { p50: quantile(values, 0.5), p90: quantile(values, 0.9), p99: quantile(values, 0.99), max: values.reduce((a, b) => Math.max(a, b), 0) },
          errors: result.errors,
          timeouts: result.timeouts,
          unexpectedSamples,
          byTag,
        });
      },
    );
    timer = setTimeout(() => instance.stop(), maxSeconds * 1000);
  });
}
