import { createPublicKey } from "node:crypto";
import { type Algorithm, algorithms, generateKey } from "../../src/keys/index.ts";
import { createVerifier, type KeyResolver, memoryNonceStore, staticKeyResolver, type VerifyRequestInit } from "../../src/verifier/index.ts";
import { abRounds } from "./abRounds.ts";
import type { BenchRequestKind } from "./benchRequest.ts";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import { measure } from "./measure.ts";
import { poolCursor } from "./poolCursor.ts";
import { rawVerifier } from "./rawVerifier.ts";
import { signatureBaseOf } from "./signatureBaseOf.ts";
import { signedRequestPool } from "./signedRequestPool.ts";
import { quantile } from "./stats.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type VerifyThroughputSizes = {
  /** Signed requests per algorithm and request kind. */
  pool: Record<Algorithm, number>;
  /** Operations per side per round: short rounds, so A and B see the same machine. */
  roundOps: Record<Algorithm, number>;
  rounds: number;
  warmupRounds: number;
  /** Time bound of one side of one round. */
  maxSecondsPerSide: number;
  /** Verifications in flight on the async path. */
  concurrency: number;
};

export const verifyThroughputSizes: { full: VerifyThroughputSizes; quick: VerifyThroughputSizes } = {
  // ~60 ms per side per round at the rates of PERFORMANCE.md.
  full: {
    pool: { ed25519: 3_000, "ecdsa-p256-sha256": 3_000, "ecdsa-secp256k1-sha256": 900 },
    roundOps: { ed25519: 500, "ecdsa-p256-sha256": 600, "ecdsa-secp256k1-sha256": 150 },
    rounds: 31,
    warmupRounds: 3,
    maxSecondsPerSide: 2,
    concurrency: 64,
  },
  quick: {
    pool: { ed25519: 400, "ecdsa-p256-sha256": 400, "ecdsa-secp256k1-sha256": 120 },
    roundOps: { ed25519: 200, "ecdsa-p256-sha256": 200, "ecdsa-secp256k1-sha256": 60 },
    rounds: 5,
    warmupRounds: 1,
    maxSecondsPerSide: 1,
    concurrency: 32,
  },
};

export type VerifyThroughputParameters = BenchContext & {
  sizes?: VerifyThroughputSizes | undefined;
  algorithms?: readonly Algorithm[] | undefined;
};

export type VerifyThroughputRow = {
  alg: Algorithm;
  kind: BenchRequestKind;
  /** sync: `threadPool: false`, one at a time, vs crypto.verify; async: `threadPool: true`, N in flight, vs crypto.verify with a callback. */
  path: "sync" | "async";
  /** Median ops/s over the rounds. */
  ours: number;
  raw: number;
  /** Median of the per-round ratios ours / raw. */
  ratio: number;
  ratios: number[];
  /** Median per-round ratio of ops per CPU second: barely moved by other processes stealing the cores. */
  cpuRatio: number;
  /** What the verifier adds per request beyond the signature check: 1/ours - 1/raw, in µs. */
  overheadUs: number;
  /** Verifications that did not accept a valid request (must be 0). */
  failures: number;
};

export type VerifyThroughputReturnType = BenchReport & { rows: VerifyThroughputRow[] };

const target = 0.9; // issue 10: verify() at least 90 % of raw crypto.verify in every row
const scopesOf: Record<BenchRequestKind, readonly string[]> = { get: ["read"], post: ["trade"] };

/**
 * Benchmark 1: our full `verify()` (static key resolver, memory nonce store,
 * unique nonces, scopes checked, content-digest recomputed) against a bare
 * node:crypto `verify` of the same signature base with a cached KeyObject, per
 * algorithm, for a GET and a 1 KB POST. A and B alternate in rounds; the
 * figure is the median per-round ratio.
 */
export async function verifyThroughputBench(parameters: VerifyThroughputParameters): Promise<VerifyThroughputReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? verifyThroughputSizes.quick : verifyThroughputSizes.full);
  const rows: VerifyThroughputRow[] = [];
  let firstFailure: string | undefined;

  for (const alg of parameters.algorithms ?? algorithms) {
    const key = await generateKey({ alg, label: "bench" });
    const keys: KeyResolver = staticKeyResolver({ [key.keyId]: { alg, publicKey: key.publicKey, scopes: ["read", "trade"] } });
    const raw = rawVerifier({ alg, publicKey: createPublicKey({ key: key.publicKey as never, format: "jwk" }) });
    for (const kind of ["get", "post"] as const) {
      const count = sizes.pool[alg];
      const roundOps = Math.min(sizes.roundOps[alg], count);
      log(`verify: signing ${count} ${alg} ${kind.toUpperCase()} requests`);
      const pool = await signedRequestPool({ key, kind, count });
      // Plain requests as the Node adapter hands them over: the body already bytes.
      const inputs: VerifyRequestInit[] = pool.map((r) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body === undefined ? undefined : Buffer.from(r.body) }));
      const bases = pool.map(signatureBaseOf);
      if (!bases.every((b) => raw.sync(b.data, b.signature))) throw new Error(`bench: a ${alg} signature does not verify with node:crypto`);
      const options = { requiredScopes: scopesOf[kind] };

      for (const path of ["sync", "async"] as const) {
        log(`verify: ${alg} ${kind.toUpperCase()} ${path}, ${sizes.rounds} rounds`);
        const concurrency = path === "sync" ? 1 : sizes.concurrency;
        const newVerifier = () => createVerifier({ keys, nonces: memoryNonceStore(), threadPool: path === "async", maxAgeSeconds: 300 });
        let verifier = newVerifier();
        const cursorA = poolCursor({ size: count, take: roundOps });
        const cursorB = poolCursor({ size: count, take: roundOps });
        const result = await abRounds({
          rounds: sizes.rounds,
          warmupRounds: sizes.warmupRounds,
          a: () => {
            // Each pass over the pool gets a new verifier: every nonce is new to its store.
            const { start, wrapped } = cursorA.next();
            if (wrapped) verifier = newVerifier();
            return measure({
              count: roundOps,
              maxSeconds: sizes.maxSecondsPerSide,
              concurrency,
              step: (i) =>
                verifier.verify(inputs[start + i]!, options).then((r) => {
                  if (!r.ok) firstFailure ??= `${alg} ${kind}: ${r.reason}: ${r.message}`;
                  return r.ok;
                }),
            });
          },
          b: () => {
            const { start } = cursorB.next();
            return measure({
              count: roundOps,
              maxSeconds: sizes.maxSecondsPerSide,
              concurrency,
              step:
                path === "sync"
                  ? (i) => raw.sync(bases[start + i]!.data, bases[start + i]!.signature)
                  : (i) => raw.async(bases[start + i]!.data, bases[start + i]!.signature),
            });
          },
        });
        rows.push({
          alg,
          kind,
          path,
          ours: result.a.rate,
          raw: result.b.rate,
          ratio: result.ratio,
          ratios: result.ratios,
          cpuRatio: result.cpuRatio,
          overheadUs: (1 / result.a.rate - 1 / result.b.rate) * 1e6,
          failures: result.a.failures + result.b.failures,
        });
      }
    }
  }
  return { ...report(rows, sizes, firstFailure), rows };
}

function report(rows: VerifyThroughputRow[], sizes: VerifyThroughputSizes, firstFailure: string | undefined): BenchReport {
  const table = markdownTable({
    header: ["algorithm", "request", "path", "verify() ops/s", "crypto.verify ops/s", "ratio (median)", "ratio p10–p90", "ratio by CPU time", "overhead / req", "target ≥ 90 %", "rejected"],
    align: ["l", "l", "l", "r", "r", "r", "r", "r", "r", "l", "r"],
    rows: rows.map((r) => [
      r.alg,
      r.kind === "get" ? "GET + query" : "POST 1 KB",
      r.path === "sync" ? "sync" : `async, ${sizes.concurrency} in flight`,
      format.int(r.ours),
      format.int(r.raw),
      format.percent(r.ratio),
      `${format.percent(quantile(r.ratios, 0.1))} – ${format.percent(quantile(r.ratios, 0.9))}`,
      format.percent(r.cpuRatio),
      format.us(r.overheadUs),
      format.check(r.ratio >= target),
      String(r.failures),
    ]),
  });
  const notes = [
    `Each row: ${sizes.rounds} short rounds (+${sizes.warmupRounds} warm-up) alternating A = our \`verify()\` and B = node:crypto \`verify\` on the same signature bases with a cached KeyObject; the ratio is the median of the per-round ratios A/B (wall clock). "ratio by CPU time" compares ops per CPU-second of this process instead, which other processes on the shared machine disturb far less.`,
    "`verify()` here: static key resolver, a memory nonce store (new per round, so every nonce is fresh), required scopes, Content-Digest recomputed for the POST. sync = `threadPool: false`, one request at a time, vs synchronous `crypto.verify`; async = `threadPool: true` (the default) vs `crypto.verify` with a callback, both on libuv's pool with the same number in flight (2 cores).",
    "overhead / req = 1/verify() − 1/crypto.verify: everything but the signature (parse, freshness, digest, lookup, nonce).",
  ];
  if (firstFailure) notes.push(`**A valid request was rejected:** ${firstFailure}`);
  const summary: SummaryRow[] = rows.map((r) => ({
    metric: `verify() / crypto.verify, ${r.alg}, ${r.kind === "get" ? "GET" : "POST 1 KB"}, ${r.path}`,
    value: `${format.percent(r.ratio)} (${format.int(r.ours)} vs ${format.int(r.raw)} ops/s)`,
    target: "≥ 90 %",
    ok: r.ratio >= target && r.failures === 0,
  }));
  return {
    name: "verify",
    title: "1. Verify throughput vs raw node:crypto",
    markdown: [table, "", ...notes.map((n) => `- ${n}`)].join("\n"),
    summary,
  };
}
