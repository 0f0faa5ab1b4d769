// Load on the reference server over loopback with a mix of valid, replayed and
// forged requests, every answer checked against the verdict it must get. Used by
// `npm run stress` (long run, figures) and test/hardening/load.test.ts (short run,
// correctness only).
import { type ChildProcess, fork } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import type { StaticKey } from "../../src/verifier/index.ts";
import { count, type SuiteFigures, tally } from "./figures.ts";
import type { LoadServerConfig, LoadServerMessage, LoadServerStats } from "./loadServer.ts";

export type RunLoadParameters = {
  /** Longest the sustained phase runs; it ends earlier when its signed requests run out. */
  durationMs: number;
  /** Concurrent keep-alive connections. */
  connections: number;
  /** Valid requests signed ahead for the sustained phase; replays and forgeries come on top (15 % each). */
  validRequests: number;
  /** The bounded phase: a nonce store of `maxEntries`, sent `validRequests` (more) valid requests. */
  bounded: { maxEntries: number; validRequests: number };
  /** Server memory sampling interval. Default 500 ms. */
  sampleMs?: number | undefined;
  /** Seed of the request mix. */
  seed?: number | undefined;
  /** Progress lines. */
  log?: ((line: string) => void) | undefined;
};

export type LoadPhaseReport = {
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  sent: { valid: number; replayed: number; forged: number };
  accepted: number;
  /** Answers by kind and verdict, e.g. "forged: 401 bad-signature". */
  answers: Record<string, number>;
  /** Answers that were not the verdict their request called for (must be 0). */
  wrong: number;
  wrongSamples: string[];
  /** Valid requests accepted other than exactly once (must be 0; bounded phase: beyond the bound they are refused). */
  notExactlyOnce: number;
  memory: {
    samples: number;
    rssMB: { first: number; afterWarmUp: number; max: number; last: number; secondHalf: { min: number; max: number } };
    heapUsedMB: { min: number; max: number; last: number };
    externalMB: { min: number; max: number };
    nonceEntries: number;
    nonceMB: number;
    /** RSS of every sample, MB. */
    rssSeries: number[];
  };
};

export type RunLoadReturnType = { sustained: LoadPhaseReport; bounded: LoadPhaseReport & { maxEntries: number; refusedAtBound: number }; figures: SuiteFigures };

type Kind = "valid" | "replayed" | "forged";
type Shot = { kind: Kind; label: string; method: string; path: string; headers: Record<string, string>; body?: Buffer | undefined; nonce?: string | undefined; expect: { status: number; error?: string } };
type Answer = { status: number; error: string | undefined; ms: number };

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const order = JSON.stringify({ symbol: "ETH-USD", side: "buy", qty: 1 });

export async function runLoad(parameters: RunLoadParameters): Promise<RunLoadReturnType> {
  const { durationMs, connections, validRequests, bounded, sampleMs = 500, seed = 1, log = () => {} } = parameters;
  const keys = {
    traders: await Promise.all([generateKey({ label: "t1" }), generateKey({ label: "t2" }), generateKey({ label: "t3" }), generateKey({ alg: "ecdsa-p256-sha256", label: "t4" })]),
    reader: await generateKey({ label: "reader" }),
    stranger: await generateKey({ label: "stranger" }),
  };
  const registered: Record<string, StaticKey> = {};
  for (const key of keys.traders) registered[key.keyId] = { alg: key.alg, publicKey: key.publicKey, scopes: ["read", "trade"], label: key.label };
  registered[keys.reader.keyId] = { alg: keys.reader.alg, publicKey: keys.reader.publicKey, scopes: ["read"], label: "reader" };

  log(`load: sustained phase, up to ${durationMs / 1000} s, ${count(validRequests)} valid requests signed ahead...`);
  const sustained = await runPhase({ keys, registered, maxEntries: 1_000_000, validRequests, durationMs, connections, sampleMs, seed, bound: undefined });
  log(`load: bounded phase, maxEntries ${count(bounded.maxEntries)}, ${count(bounded.validRequests)} valid requests...`);
  const boundedReport = await runPhase({ keys, registered, maxEntries: bounded.maxEntries, validRequests: bounded.validRequests, durationMs: Number.POSITIVE_INFINITY, connections, sampleMs, seed: seed + 1, bound: bounded.maxEntries });
  const refusedAtBound = boundedReport.answers["valid: 503 nonce-store-unavailable"] ?? 0;
  const result = { sustained, bounded: { ...boundedReport, maxEntries: bounded.maxEntries, refusedAtBound } };
  return { ...result, figures: formatLoad({ ...result, connections }) };
}

type PhaseParameters = {
  keys: { traders: KeyFile[]; reader: KeyFile; stranger: KeyFile };
  registered: Record<string, StaticKey>;
  maxEntries: number;
  validRequests: number;
  durationMs: number;
  connections: number;
  sampleMs: number;
  seed: number;
  /** Nonce store bound the phase is meant to exceed (valid requests beyond it are refused with 503). */
  bound: number | undefined;
};

async function runPhase(p: PhaseParameters): Promise<LoadPhaseReport> {
  // The longest window the verifier allows: requests are signed ahead, some of them minutes before they are sent.
  const { child, url } = await startServer({ keys: p.registered, maxEntries: p.maxEntries, maxAgeSeconds: 300 });
  const agent = new Agent({ keepAlive: true, maxSockets: p.connections });
  try {
    const random = mulberry32(p.seed);
    const schedule = await buildSchedule({ url, keys: p.keys, validRequests: p.validRequests, random });
    const port = Number(new URL(url).port);
    const samples: LoadServerStats[] = [await stats(child)];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((r) => setTimeout(r, p.sampleMs));
        if (sampling) samples.push(await stats(child));
      }
    })();

    const latencies: number[] = [];
    const answers = new Map<string, number>();
    const acceptedByNonce = new Map<string, number>();
    const acceptedValid: Shot[] = [];
    const wrongSamples: string[] = [];
    let wrong = 0;
    const sent = { valid: 0, replayed: 0, forged: 0 };
    let cursor = 0;
    const started = performance.now();
    const deadline = started + p.durationMs;

    const judge = (shot: Shot, answer: Answer) => {
      const verdict = `${answer.status}${answer.error ? ` ${answer.error}` : ""}`;
      answers.set(`${shot.kind}: ${verdict}`, (answers.get(`${shot.kind}: ${verdict}`) ?? 0) + 1);
      const ok = answer.status >= 200 && answer.status < 300;
      if (ok && shot.nonce) acceptedByNonce.set(shot.nonce, (acceptedByNonce.get(shot.nonce) ?? 0) + 1);
      // Past the bound a valid request is refused (fail closed), never accepted beyond it.
      const refusedAtBound = p.bound !== undefined && shot.kind === "valid" && answer.status === 503 && answer.error === "nonce-store-unavailable";
      const right = answer.status === shot.expect.status && (shot.expect.error === undefined || shot.expect.error === answer.error);
      if (!right && !refusedAtBound) {
        wrong++;
        if (wrongSamples.length < 10) wrongSamples.push(`${shot.kind} ${shot.label} ${shot.method} ${shot.path}: expected ${shot.expect.status} ${shot.expect.error ?? ""}, got ${verdict}`);
      }
      if (ok && shot.kind === "valid") acceptedValid.push(shot);
    };

    const worker = async () => {
      for (;;) {
        if (performance.now() > deadline) return;
        const at = cursor++;
        if (at >= schedule.length) return;
        let shot = schedule[at]!;
        if (shot.kind === "replayed") {
          if (!acceptedValid.length) continue;
          const original = acceptedValid[Math.floor(random() * acceptedValid.length)]!;
          shot = { ...original, kind: "replayed", label: "replay", expect: { status: 401, error: "replayed-nonce" } };
        }
        sent[shot.kind]++;
        const answer = await send(agent, port, shot);
        latencies.push(answer.ms);
        judge(shot, answer);
      }
    };
    await Promise.all(Array.from({ length: p.connections }, worker));
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    samples.push(await stats(child));

    const validSent = schedule.slice(0, Math.min(cursor, schedule.length)).filter((s) => s.kind === "valid").length;
    let notExactlyOnce = 0;
    for (const shot of schedule.slice(0, Math.min(cursor, schedule.length))) {
      if (shot.kind !== "valid") continue;
      const times = acceptedByNonce.get(shot.nonce!) ?? 0;
      if (times > 1 || (times === 0 && p.bound === undefined)) notExactlyOnce++;
    }
    if (p.bound !== undefined) {
      // Exactly `bound` valid requests fit; every other one was refused.
      const accepted = acceptedByNonce.size;
      if (accepted !== Math.min(p.bound, validSent)) {
        wrong++;
        wrongSamples.push(`bounded store: ${accepted} valid requests accepted, expected ${Math.min(p.bound, validSent)}`);
      }
    }
    latencies.sort((a, b) => a - b);
    const quantile = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
    const warm = samples[Math.min(samples.length - 1, Math.max(1, Math.floor(samples.length / 5)))]!;
    const last = samples.at(-1)!;
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    return {
      seconds,
      requests: latencies.length,
      requestsPerSecond: Math.round(latencies.length / seconds),
      latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: quantile(1) },
      sent,
      accepted: [...acceptedByNonce.values()].reduce((a, b) => a + b, 0),
      answers: Object.fromEntries([...answers].sort()),
      wrong,
      wrongSamples,
      notExactlyOnce,
      memory: {
        samples: samples.length,
        rssMB: {
          first: mb(samples[0]!.rss),
          afterWarmUp: mb(warm.rss),
          max: mb(Math.max(...samples.map((s) => s.rss))),
          last: mb(last.rss),
          secondHalf: { min: mb(Math.min(...secondHalf.map((s) => s.rss))), max: mb(Math.max(...secondHalf.map((s) => s.rss))) },
        },
        heapUsedMB: { min: mb(Math.min(...samples.map((s) => s.heapUsed))), max: mb(Math.max(...samples.map((s) => s.heapUsed))), last: mb(last.heapUsed) },
        externalMB: { min: mb(Math.min(...samples.map((s) => s.external))), max: mb(Math.max(...samples.map((s) => s.external))) },
        rssSeries: samples.map((s) => mb(s.rss)),
        nonceEntries: last.nonceEntries,
        nonceMB: mb(last.nonceBytes),
      },
    };
  } finally {
    agent.destroy();
    child.send({ type: "stop" });
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
  }
}

/**
 * Valid requests (GET /v1/prices and POST /v1/orders, unique nonces) interleaved
 * with replay slots (filled at send time from already accepted requests) and
 * forgeries, each with the verdict it must get. Some forgeries are copies of a
 * valid request still to come, with a flipped signature bit: the original must
 * still be accepted afterwards (a forged copy never burns a nonce).
 */
async function buildSchedule({ url, keys, validRequests, random }: { url: string; keys: PhaseParameters["keys"]; validRequests: number; random: () => number }): Promise<Shot[]> {
  let serial = 0;
  const sign = async (key: KeyFile, kind: Kind, label: string, post: boolean, created = Math.floor(Date.now() / 1000), expect?: Shot["expect"]): Promise<Shot> => {
    const nonce = `${kind[0]}${++serial}-${Math.floor(random() * 2 ** 32).toString(36)}`;
    const path = post ? "/v1/orders" : "/v1/prices";
    const signed = await signRequest(
      { method: post ? "POST" : "GET", url: `${url}${path}`, headers: post ? ([["content-type", "application/json"]] as [string, string][]) : [], body: post ? order : undefined },
      { key, created, nonce },
    );
    return {
      kind,
      label,
      method: post ? "POST" : "GET",
      path,
      headers: Object.fromEntries((signed.headers as [string, string][]).map(([name, value]) => [name.toLowerCase(), value])),
      body: post ? Buffer.from(order) : undefined,
      nonce: kind === "valid" ? nonce : undefined,
      expect: expect ?? { status: post ? 201 : 200 },
    };
  };
  const batch = 500;
  const valid: Shot[] = [];
  for (let i = 0; i < validRequests; i += batch) {
    valid.push(...(await Promise.all(Array.from({ length: Math.min(batch, validRequests - i) }, (_, j) => sign(keys.traders[(i + j) % keys.traders.length]!, "valid", "valid", (i + j) % 3 === 0)))));
  }
  const schedule: Shot[] = [];
  for (let i = 0; i < valid.length; i++) {
    schedule.push(valid[i]!);
    const roll = random();
    if (roll < 0.15 / 0.7) schedule.push({ ...valid[i]!, kind: "replayed" });
    else if (roll < 0.3 / 0.7) {
      const which = Math.floor(random() * 5);
      const post = random() < 0.34;
      if (which === 0) {
        const future = valid[Math.min(valid.length - 1, i + 50)]!;
        const signature = future.headers.signature!;
        const bytes = Buffer.from(/:([^:]*):/.exec(signature)![1]!, "base64");
        bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
        schedule.push({ ...future, kind: "forged", label: "bit flip (copy of a request still to come)", nonce: undefined, headers: { ...future.headers, signature: signature.replace(/:[^:]*:/, `:${bytes.toString("base64")}:`) }, expect: { status: 401, error: "bad-signature" } });
      } else if (which === 1) schedule.push(await sign(keys.stranger, "forged", "unknown key", post, undefined, { status: 401, error: "unknown-key" }));
      else if (which === 2) schedule.push(await sign(keys.traders[0]!, "forged", "expired", post, Math.floor(Date.now() / 1000) - 900, { status: 401, error: "expired-request" }));
      else if (which === 3) {
        const shot = await sign(keys.traders[1]!, "forged", "body altered", true, undefined, { status: 401, error: "digest-mismatch" });
        schedule.push({ ...shot, body: Buffer.from(order.replace('"qty":1', '"qty":9')) });
      } else schedule.push(await sign(keys.reader, "forged", "scope missing", true, undefined, { status: 403, error: "insufficient-scope" }));
    }
  }
  return schedule;
}

function send(agent: Agent, port: number, shot: Shot): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: "127.0.0.1", port, method: shot.method, path: shot.path, headers: shot.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        let error: string | undefined;
        if (status >= 400) {
          try {
            error = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: string }).error;
          } catch {}
        }
        resolve({ status, error, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(shot.body);
  });
}

async function startServer(config: LoadServerConfig): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL("./loadServer.ts", import.meta.url)), [], {
    execArgv: [],
    env: { ...process.env, KEYLEDGER_LOAD_SERVER: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the load server exited (${code}) before listening`)));
    child.on("message", (message: LoadServerMessage) => {
      if (message.type === "listening") resolve(message.url);
    });
  });
  child.removeAllListeners("exit");
  return { child, url };
}

function stats(child: ChildProcess): Promise<LoadServerStats> {
  return new Promise((resolve) => {
    const onMessage = (message: LoadServerMessage) => {
      if (message.type !== "stats") return;
      child.off("message", onMessage);
      resolve(message.stats);
    };
    child.on("message", onMessage);
    child.send({ type: "stats" });
  });
}

/** Small seeded PRNG: the same seed gives the same mix. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function formatLoad({ sustained: s, bounded: b, connections }: Omit<RunLoadReturnType, "figures"> & { connections: number }): SuiteFigures {
  const byVerdict = (r: LoadPhaseReport, kind: Kind) =>
    tally(Object.fromEntries(Object.entries(r.answers).filter(([k]) => k.startsWith(`${kind}: `)).map(([k, n]) => [k.slice(kind.length + 2), n])));
  const mem = s.memory;
  return {
    suite: "load",
    title: `load on the reference server (loopback, ${connections} keep-alive connections, Ed25519 and P-256 keys, memory nonce store)`,
    lines: [
      `sustained ${s.seconds.toFixed(1)} s: ${count(s.requests)} requests (${count(s.sent.valid)} valid, ${count(s.sent.replayed)} replayed, ${count(s.sent.forged)} forged), ` +
        `${count(s.requestsPerSecond)} req/s; latency p50 ${s.latencyMs.p50} ms, p90 ${s.latencyMs.p90} ms, p99 ${s.latencyMs.p99} ms (client-measured)`,
      `  valid: ${byVerdict(s, "valid")}; replayed: ${byVerdict(s, "replayed")}; forged: ${byVerdict(s, "forged")}`,
      `  wrong verdicts: ${s.wrong}; valid requests not accepted exactly once: ${s.notExactlyOnce}`,
      `  server memory (${mem.samples} samples): RSS ${mem.rssMB.first} MB at start, ${mem.rssMB.afterWarmUp} MB after warm-up, ${mem.rssMB.secondHalf.min}..${mem.rssMB.secondHalf.max} MB over the second half, ${mem.rssMB.last} MB at the end; ` +
        `heap used ${mem.heapUsedMB.min}..${mem.heapUsedMB.max} MB, external ${mem.externalMB.min}..${mem.externalMB.max} MB; nonce store ${count(mem.nonceEntries)} live nonces in ${mem.nonceMB} MB`,
      `bounded nonce store (maxEntries ${count(b.maxEntries)}): ${count(b.requests)} requests, ${count(b.accepted)} accepted (exactly the bound), ` +
        `${count(b.refusedAtBound)} valid requests past it refused with 503 nonce-store-unavailable (fail closed); replayed: ${byVerdict(b, "replayed")}; forged: ${byVerdict(b, "forged")}; wrong verdicts: ${b.wrong}`,
      `  server memory: RSS ${b.memory.rssMB.afterWarmUp} MB after warm-up, ${b.memory.rssMB.secondHalf.min}..${b.memory.rssMB.secondHalf.max} MB over the second half; heap used ${b.memory.heapUsedMB.min}..${b.memory.heapUsedMB.max} MB; nonce store held at ${count(b.memory.nonceEntries)} entries (${b.memory.nonceMB} MB)`,
      ...[...s.wrongSamples, ...b.wrongSamples].map((w) => `  WRONG: ${w}`),
    ],
    data: { connections, sustained: s, bounded: b },
  };
}
