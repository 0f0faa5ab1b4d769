import { randomBytes } from "node:crypto";
import { generateKey, signBytes } from "../../src/keys/index.ts";
import { redisSkipReason, type RedisServer, startRedis } from "../../test/helpers/redis.ts";
import { type RedisClusterFixture, startRedisCluster } from "../../test/helpers/redisCluster.ts";
import type { BenchRequest, BenchRequestKind } from "./benchRequest.ts";
import { format } from "./format.ts";
import { type LoadRequest, runLoad, type RunLoadReturnType } from "./loadDriver.ts";
import { markdownTable } from "./markdownTable.ts";
import type { BenchServerMode } from "./serverProcess.ts";
import { signedRequestPool } from "./signedRequestPool.ts";
import { type BenchServer, startBenchServer } from "./startBenchServer.ts";
import { quantile } from "./stats.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type ServerThroughputSizes = {
  /** Measured rounds; each loads every server once, in rotating order. */
  rounds: number;
  /** Time bound of one run. */
  runSeconds: number;
  /** Count bound of one run: fresh pre-signed requests per round (a faster server ends early, the rate is still right). */
  requestsPerRun: number;
  /** An unreported run per server first (JIT warm-up), with its own requests. */
  warmupRequests: number;
  warmupSeconds: number;
  connections: number;
};

export const serverThroughputSizes: { full: ServerThroughputSizes; quick: ServerThroughputSizes } = {
  full: { rounds: 3, runSeconds: 4, requestsPerRun: 20_000, warmupRequests: 4_000, warmupSeconds: 1.5, connections: 16 },
  quick: { rounds: 1, runSeconds: 1, requestsPerRun: 3_000, warmupRequests: 600, warmupSeconds: 0.3, connections: 16 },
};

export type ServerThroughputParameters = BenchContext & { sizes?: ServerThroughputSizes | undefined };

export type ServerThroughputRow = {
  kind: BenchRequestKind;
  mode: BenchServerMode;
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server process CPU (all threads) per answered request, µs. */
  serverCpuUs: number;
  /** Server CPU seconds per second of the run: 1 = one core fully used; well under 1 means the load generator was the limit. */
  serverBusy: number;
  /** Median per-round ratio to the bare server's rate (1 for bare). */
  ratio: number;
  /** Answers other than 200/201 (must be 0: every request is valid and sent once). */
  unexpected: number;
  unexpectedSamples: string[];
  /** Requests answered over all rounds. */
  completed: number;
  rssBytes: number;
};

export type ServerThroughputReturnType = BenchReport & { rows: ServerThroughputRow[]; redisSkipped: string | undefined };

const maxAgeSeconds = 300;
/** Server CPU a verified request may cost beyond the bare server plus one raw signature check (issue 10). */
const overheadTargetUs = 15;
const expected: Record<BenchRequestKind, number> = { get: 200, post: 201 };
const modeLabel: Record<BenchServerMode, string> = {
  bare: "no verification",
  raw: "no verification + one raw Ed25519 check (async)",
  "raw-sync": "no verification + one raw Ed25519 check (sync)",
  memory: "verified, memory nonces",
  "memory-sync": "verified, memory nonces, threadPool: false",
  redis: "verified, Redis nonces",
  "redis-cluster": "verified, Redis Cluster nonces (3 masters + 3 replicas)",
  "redis-workers": "verified, Redis nonces, 2 worker processes (node:cluster)",
};

/**
 * Benchmark 3: the reference API server (createApiServer) in its own process,
 * loaded by autocannon from this one over loopback: verified requests/s
 * (Ed25519, default verifier: thread-pool verify) with the memory and the Redis
 * nonce store, and with `threadPool: false`, against the same server with a
 * pass-through verifier. Every
 * verified request is pre-signed with its own nonce and sent once.
 */
export async function serverThroughputBench(parameters: ServerThroughputParameters): Promise<ServerThroughputReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? serverThroughputSizes.quick : serverThroughputSizes.full);
  const key = await generateKey({ alg: "ed25519", label: "bench" });
  const keyConfig = { keyId: key.keyId, publicKey: key.publicKey, scopes: ["read", "trade"] };
  // About a signature base's length: what the raw rows check once per request.
  const rawData = randomBytes(320);
  const rawCheck = { data: rawData.toString("base64"), signature: Buffer.from(await signBytes({ privateKey: key.privateKey!, data: rawData })).toString("base64") };

  let redis: RedisServer | undefined;
  let redisCluster: RedisClusterFixture | undefined;
  const servers = new Map<BenchServerMode, BenchServer>();
  const rows: ServerThroughputRow[] = [];
  try {
    if (!redisSkipReason) [redis, redisCluster] = await Promise.all([startRedis(), startRedisCluster()]);
    else log(`server: Redis runs skipped: ${redisSkipReason}`);
    const modes: BenchServerMode[] = redis ? ["bare", "raw", "raw-sync", "memory", "memory-sync", "redis", "redis-workers", "redis-cluster"] : ["bare", "raw", "raw-sync", "memory", "memory-sync"];
    const seeds = redisCluster?.nodes.map((node) => node.address);
    for (const mode of modes) {
      const workers = mode === "redis-workers" ? 2 : 1;
      servers.set(mode, await startBenchServer({ mode, key: keyConfig, redisUrl: redis?.url, redisCluster: seeds, maxAgeSeconds, workers, rawCheck }));
    }

    for (const kind of ["get", "post"] as const) {
      const total = sizes.warmupRequests + sizes.rounds * sizes.requestsPerRun;
      log(`server: signing ${total.toLocaleString("en-US")} ${kind.toUpperCase()} requests`);
      const pool = await signedRequestPool({ key, kind, count: total });
      const slice = (start: number, length: number): BenchRequest[] => pool.slice(start, start + length);
      const run = async (mode: BenchServerMode, requests: BenchRequest[], maxSeconds: number) => {
        const server = servers.get(mode)!;
        const before = await server.usage();
        const result = await runLoad({
          url: server.url,
          connections: sizes.connections,
          maxRequests: requests.length,
          maxSeconds,
          next: (i) => toLoadRequest(requests[i]!, kind),
        });
        const after = await server.usage();
        const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
        return { result, cpuUs: (cpuSeconds / Math.max(1, result.completed)) * 1e6, busy: cpuSeconds / result.seconds, rssBytes: after.rssBytes };
      };

      for (const mode of modes) {
        log(`server: warm-up ${kind.toUpperCase()} ${mode}`);
        await run(mode, slice(0, sizes.warmupRequests), sizes.warmupSeconds);
      }
      const runs = new Map<BenchServerMode, { result: RunLoadReturnType; cpuUs: number; busy: number; rssBytes: number }[]>(modes.map((m) => [m, []]));
      for (let round = 0; round < sizes.rounds; round++) {
        // Every verified server gets this round's fresh slice; each has its own nonce store.
        const requests = slice(sizes.warmupRequests + round * sizes.requestsPerRun, sizes.requestsPerRun);
        const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
        for (const mode of order) {
          log(`server: ${kind.toUpperCase()} round ${round + 1}/${sizes.rounds}, ${mode}`);
          runs.get(mode)!.push(await run(mode, requests, sizes.runSeconds));
        }
      }
      const bare = runs.get("bare")!;
      for (const mode of modes) {
        const list = runs.get(mode)!;
        const med = (f: (r: (typeof list)[number]) => number) => quantile(list.map(f), 0.5);
        rows.push({
          kind,
          mode,
          requestsPerSecond: med((r) => r.result.requestsPerSecond),
          p50Ms: med((r) => r.result.latencyMs.p50),
          p99Ms: med((r) => r.result.latencyMs.p99),
          serverCpuUs: med((r) => r.cpuUs),
          serverBusy: med((r) => r.busy),
          ratio: quantile(list.map((r, i) => r.result.requestsPerSecond / bare[i]!.result.requestsPerSecond), 0.5),
          unexpected: list.reduce((sum, r) => sum + r.result.unexpected + r.result.errors + r.result.timeouts, 0),
          unexpectedSamples: list.flatMap((r) => r.result.unexpectedSamples).slice(0, 3),
          completed: list.reduce((sum, r) => sum + r.result.completed, 0),
          rssBytes: list.at(-1)!.rssBytes,
        });
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    await Promise.all([redis?.stop(), redisCluster?.stop()]);
  }
  const redisSkipped = redis || rows.length === 0 ? undefined : redisSkipReason;
  return { ...report(rows, sizes, redisSkipped), rows, redisSkipped };
}

function toLoadRequest(request: BenchRequest, kind: BenchRequestKind): LoadRequest {
  return { method: request.method, path: request.path, headers: request.headers, body: request.body, expectStatus: expected[kind] };
}

function report(rows: ServerThroughputRow[], sizes: ServerThroughputSizes, redisSkipped: string | undefined): BenchReport {
  const table = markdownTable({
    header: ["request", "server", "req/s (median)", "p50", "p99", "server CPU / req", "server CPU busy", "vs no verification", "answered", "wrong answers", "server RSS after"],
    align: ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
    rows: rows.map((r) => [
      r.kind === "get" ? "GET /v1/prices" : "POST /v1/orders 1 KB",
      modeLabel[r.mode],
      format.int(r.requestsPerSecond),
      format.ms(r.p50Ms),
      format.ms(r.p99Ms),
      format.us(r.serverCpuUs),
      format.percent(r.serverBusy),
      r.mode === "bare" ? "—" : format.percent(r.ratio),
      format.int(r.completed),
      String(r.unexpected),
      `${(r.rssBytes / 2 ** 20).toFixed(0)} MiB`,
    ]),
  });
  const notes = [
    "**2-core machine: autocannon (this process), the server process (its event loop plus libuv's thread pool for signature checks) and, for the Redis rows, redis-server all compete for the same two cores, so absolute req/s are lower than on a machine with a core per role; the ratio to the bare server, measured in the same rounds, is the figure to compare.**",
    `Reference server (\`createApiServer\`) in a child process, Ed25519 key, default verifier (\`threadPool: true\`, maxAge ${maxAgeSeconds} s so pre-signed pools stay fresh); "no verification" is the same server with a pass-through verifier; "+ one raw Ed25519 check" is that server doing one \`crypto.verify\` of a fixed 320-byte message per request (with a callback on libuv's pool, or synchronously), the floor a verified server is held to: the summary's "beyond bare + raw check" is verified CPU/req minus that row's, measured in the same rounds; "threadPool: false" verifies signatures on the event loop instead of libuv's pool. ${sizes.connections} keep-alive connections, 1 request in flight each, to 127.0.0.1.`,
    `${sizes.rounds} round(s) of ≤ ${sizes.runSeconds} s / ≤ ${format.int(sizes.requestsPerRun)} requests per server (+ a warm-up run), servers in rotating order; figures are medians over rounds, the ratio the median of per-round ratios. Each verified request was pre-signed with its own nonce and sent once (no replays); every answer must be 200 (GET) or 201 (POST).`,
    "Latency is per request, from the moment autocannon builds and writes it to its complete response. Server CPU / req = the server process's CPU time (all threads) during the run ÷ answered requests: a figure the other processes on the machine disturb much less than req/s. Server CPU busy = CPU seconds per wall second of the run (100 % = one full core; the thread pool can take it above): a bare server well below 100 % was waiting for the load generator, so its req/s, and the ratios against it, measure autocannon as much as the server.",
  ];
  notes.push(
    "The 2-worker row is the same server under node:cluster (one verifier per worker, one shared Redis); its CPU and RSS are summed over the primary and both workers. On two cores the load generator and Redis take the cores a second worker would use, so here it shows the cost of the fleet set-up, not its scaling (PERFORMANCE.md measured ~1.9x for two processes with a core each). The Redis Cluster row runs six redis-server processes on the same two cores.",
  );
  if (redisSkipped) notes.push(`Redis rows skipped: ${redisSkipped}.`);
  for (const r of rows) if (r.unexpectedSamples.length) notes.push(`**Unexpected answers (${r.kind} ${r.mode}):** ${r.unexpectedSamples.join(" · ")}`);
  const summary: SummaryRow[] = rows
    .filter((r) => r.mode !== "bare")
    .map((r) => ({
      metric: `server ${r.kind === "get" ? "GET" : "POST 1 KB"}, ${modeLabel[r.mode]}`,
      value: `${format.int(r.requestsPerSecond)} req/s (${format.percent(r.ratio)} of no verification), p50 ${format.ms(r.p50Ms)}, p99 ${format.ms(r.p99Ms)}, server CPU ${format.us(r.serverCpuUs)}/req (bare ${format.us(rows.find((b) => b.kind === r.kind && b.mode === "bare")?.serverCpuUs ?? Number.NaN)})`,
      ok: r.unexpected === 0 ? undefined : false,
    }));
  for (const [verified, floor] of [
    ["memory", "raw"],
    ["memory-sync", "raw-sync"],
  ] as const) {
    for (const kind of ["get", "post"] as const) {
      const v = rows.find((r) => r.kind === kind && r.mode === verified);
      const f = rows.find((r) => r.kind === kind && r.mode === floor);
      if (!v || !f) continue;
      const extra = v.serverCpuUs - f.serverCpuUs;
      summary.push({
        metric: `server CPU beyond bare + raw check, ${kind === "get" ? "GET" : "POST 1 KB"}, ${modeLabel[verified]}`,
        value: `${format.us(extra)}/req (${format.us(v.serverCpuUs)} vs ${format.us(f.serverCpuUs)})`,
        target: `≤ ${format.us(overheadTargetUs)}`,
        ok: extra <= overheadTargetUs,
      });
    }
  }
  if (redisSkipped) summary.push({ metric: "server, Redis nonces", value: `skipped: ${redisSkipped}` });
  return { name: "server", title: "3. Reference server: verified vs unverified requests/s", markdown: [table, "", ...notes.map((n) => `- ${n}`)].join("\n"), summary };
}
