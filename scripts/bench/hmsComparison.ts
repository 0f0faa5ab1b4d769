import { createPublicKey } from "node:crypto";
import { createVerifier as createHmsVerifier, httpbis, type VerifyConfig } from "http-message-signatures";
import { generateKey } from "../../src/keys/index.ts";
import { createVerifier, type KeyResolver, memoryNonceStore, staticKeyResolver, type VerifyRequestInit } from "../../src/verifier/index.ts";
import { abRounds } from "./abRounds.ts";
import type { BenchRequestKind } from "./benchRequest.ts";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import { measure } from "./measure.ts";
import { poolCursor } from "./poolCursor.ts";
import { signedRequestPool } from "./signedRequestPool.ts";
import { quantile } from "./stats.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type HmsComparisonSizes = {
  /** Signed Ed25519 requests per request kind. */
  pool: number;
  /** Verifications per side per round. */
  roundOps: number;
  rounds: number;
  warmupRounds: number;
  maxSecondsPerSide: number;
  /** In flight for the concurrent rows. */
  concurrency: number;
};

export const hmsComparisonSizes: { full: HmsComparisonSizes; quick: HmsComparisonSizes } = {
  full: { pool: 3_000, roundOps: 500, rounds: 21, warmupRounds: 3, maxSecondsPerSide: 2, concurrency: 64 },
  quick: { pool: 400, roundOps: 200, rounds: 5, warmupRounds: 1, maxSecondsPerSide: 1, concurrency: 32 },
};

export type HmsComparisonParameters = BenchContext & { sizes?: HmsComparisonSizes | undefined };

export type HmsComparisonRow = {
  kind: BenchRequestKind;
  /** 1 = one at a time; ours then runs with `threadPool: false`, else with the default thread pool. */
  concurrency: number;
  ours: number;
  theirs: number;
  /** Median per-round ratio ours / theirs (> 1: ours is faster). */
  ratio: number;
  ratios: number[];
  cpuRatio: number;
  /** Valid requests either side did not accept (must be 0). */
  failures: number;
};

export type HmsComparisonReturnType = BenchReport & { rows: HmsComparisonRow[] };

/**
 * Benchmark 2: our verifier against `http-message-signatures`' `verifyMessage`
 * on the same Ed25519-signed requests, alternating in rounds. Their verifier
 * checks the signature, the window and the covered components; ours also
 * recomputes Content-Digest, records the nonce and checks key state and scopes.
 */
export async function hmsComparisonBench(parameters: HmsComparisonParameters): Promise<HmsComparisonReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? hmsComparisonSizes.quick : hmsComparisonSizes.full);
  const key = await generateKey({ alg: "ed25519", label: "bench" });
  const keys: KeyResolver = staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: ["read", "trade"] } });
  const theirKey = { id: key.keyId, algs: ["ed25519"], verify: createHmsVerifier(createPublicKey({ key: key.publicKey as never, format: "jwk" }), "ed25519") };
  const rows: HmsComparisonRow[] = [];
  let firstFailure: string | undefined;

  for (const kind of ["get", "post"] as const) {
    log(`hms: signing ${sizes.pool} ed25519 ${kind.toUpperCase()} requests`);
    const pool = await signedRequestPool({ key, kind, count: sizes.pool });
    const ours: VerifyRequestInit[] = pool.map((r) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body === undefined ? undefined : Buffer.from(r.body) }));
    const theirs = pool.map((r) => ({ method: r.method, url: r.url, headers: r.headers }));
    // The same policy as ours where theirs has one: required parameters and components, window and skew.
    const config: VerifyConfig = {
      keyLookup: async ({ keyid }) => (keyid === key.keyId ? theirKey : null),
      requiredParams: ["created", "keyid", "nonce"],
      requiredFields: kind === "get" ? ["@method", "@authority", "@path", "@query"] : ["@method", "@authority", "@path", "content-digest"],
      maxAge: 300,
      tolerance: 5,
    };
    const theirVerify = (i: number) =>
      httpbis.verifyMessage(config, theirs[i]!).then(
        (valid) => {
          if (valid !== true) firstFailure ??= `http-message-signatures ${kind}: ${String(valid)}`;
          return valid === true;
        },
        (error: Error) => {
          firstFailure ??= `http-message-signatures ${kind}: ${error.message}`;
          return false;
        },
      );
    const options = { requiredScopes: kind === "get" ? ["read"] : ["trade"] };

    for (const concurrency of [1, sizes.concurrency]) {
      log(`hms: ${kind.toUpperCase()} ${concurrency === 1 ? "sequential" : `${concurrency} in flight`}, ${sizes.rounds} rounds`);
      const newVerifier = () => createVerifier({ keys, nonces: memoryNonceStore(), threadPool: concurrency > 1, maxAgeSeconds: 300 });
      let verifier = newVerifier();
      const cursorA = poolCursor({ size: pool.length, take: sizes.roundOps });
      const cursorB = poolCursor({ size: pool.length, take: sizes.roundOps });
      const result = await abRounds({
        rounds: sizes.rounds,
        warmupRounds: sizes.warmupRounds,
        a: () => {
          const { start, wrapped } = cursorA.next();
          if (wrapped) verifier = newVerifier();
          return measure({
            count: sizes.roundOps,
            maxSeconds: sizes.maxSecondsPerSide,
            concurrency,
            step: (i) =>
              verifier.verify(ours[start + i]!, options).then((r) => {
                if (!r.ok) firstFailure ??= `ours ${kind}: ${r.reason}: ${r.message}`;
                return r.ok;
              }),
          });
        },
        b: () => {
          const { start } = cursorB.next();
          return measure({ count: sizes.roundOps, maxSeconds: sizes.maxSecondsPerSide, concurrency, step: (i) => theirVerify(start + i) });
        },
      });
      rows.push({
        kind,
        concurrency,
        ours: result.a.rate,
        theirs: result.b.rate,
        ratio: result.ratio,
        ratios: result.ratios,
        cpuRatio: result.cpuRatio,
        failures: result.a.failures + result.b.failures,
      });
    }
  }
  return { ...report(rows, sizes, firstFailure), rows };
}

function report(rows: HmsComparisonRow[], sizes: HmsComparisonSizes, firstFailure: string | undefined): BenchReport {
  const table = markdownTable({
    header: ["request", "mode", "ours ops/s", "http-message-signatures ops/s", "ours / theirs (median)", "p10–p90", "by CPU time", "rejected"],
    align: ["l", "l", "r", "r", "r", "r", "r", "r"],
    rows: rows.map((r) => [
      r.kind === "get" ? "GET + query" : "POST 1 KB",
      r.concurrency === 1 ? "one at a time (ours: threadPool false)" : `${r.concurrency} in flight (ours: default thread pool)`,
      format.int(r.ours),
      format.int(r.theirs),
      format.times(r.ratio),
      `${format.times(quantile(r.ratios, 0.1))} – ${format.times(quantile(r.ratios, 0.9))}`,
      format.times(r.cpuRatio),
      String(r.failures),
    ]),
  });
  const notes = [
    `Ed25519, the same signed requests for both; ${sizes.rounds} alternating rounds (+${sizes.warmupRounds} warm-up), median of per-round ratios.`,
    "http-message-signatures 1.0.6 `httpbis.verifyMessage` checks the signature, created/expires against maxAge and tolerance, and the required parameters and components. It does not recompute Content-Digest from the body, record nonces, or look at key state, validity window or scopes: ours does all of these in the figures above. Its Ed25519 verify is the synchronous `crypto.verify`, so it gains nothing from requests in flight.",
  ];
  if (firstFailure) notes.push(`**A valid request was rejected:** ${firstFailure}`);
  const summary: SummaryRow[] = rows.map((r) => ({
    metric: `ours / http-message-signatures, Ed25519 ${r.kind === "get" ? "GET" : "POST 1 KB"}, ${r.concurrency === 1 ? "one at a time" : `${r.concurrency} in flight`}`,
    value: `${format.times(r.ratio)} (${format.int(r.ours)} vs ${format.int(r.theirs)} ops/s)`,
    ok: r.failures === 0 ? undefined : false,
  }));
  return { name: "hms", title: "2. Our verifier vs http-message-signatures", markdown: [table, "", ...notes.map((n) => `- ${n}`)].join("\n"), summary };
}
