// Smoke test of the pure-CPU benchmarks (scripts/bench): with tiny counts they run
// end to end and produce well-formed figures. Nothing here asserts speed: figures
// come from `npm run bench`, never from tests.
import { describe, expect, it } from "vitest";
import { hmsComparisonBench } from "../../scripts/bench/hmsComparison.ts";
import { nonceMemoryBench } from "../../scripts/bench/nonceMemory.ts";
import { verifyThroughputBench } from "../../scripts/bench/verifyThroughput.ts";

const context = { quick: true, log: () => {} };
const positive = (value: number) => expect(Number.isFinite(value) && value > 0, `expected a positive finite number, got ${value}`).toBe(true);

describe("benchmarks (smoke, tiny counts)", () => {
  it("verify throughput: a row per algorithm, request and path, every valid request accepted", async () => {
    const report = await verifyThroughputBench({
      ...context,
      sizes: {
        pool: { ed25519: 8, "ecdsa-p256-sha256": 8, "ecdsa-secp256k1-sha256": 4 },
        roundOps: { ed25519: 4, "ecdsa-p256-sha256": 4, "ecdsa-secp256k1-sha256": 2 },
        rounds: 2,
        warmupRounds: 1,
        maxSecondsPerSide: 5,
        concurrency: 2,
      },
    });
    expect(report.rows.map((r) => `${r.alg} ${r.kind} ${r.path}`)).toHaveLength(12);
    for (const row of report.rows) {
      for (const value of [row.ours, row.raw, row.ratio, row.cpuRatio]) positive(value);
      expect(Number.isFinite(row.overheadUs)).toBe(true);
      expect(row.ratios).toHaveLength(2);
      expect(row.failures).toBe(0);
    }
    expect(report.markdown).toContain("| algorithm | request | path |");
    expect(report.summary).toHaveLength(12);
  });

  it("http-message-signatures comparison: both verifiers accept every request", async () => {
    const report = await hmsComparisonBench({
      ...context,
      sizes: { pool: 8, roundOps: 4, rounds: 2, warmupRounds: 1, maxSecondsPerSide: 5, concurrency: 2 },
    });
    expect(report.rows).toHaveLength(4);
    for (const row of report.rows) {
      for (const value of [row.ours, row.theirs, row.ratio, row.cpuRatio]) positive(value);
      expect(row.failures).toBe(0);
    }
  });

  it("nonce memory: bytes per entry and insert rates from a child process", async () => {
    const report = await nonceMemoryBench({ ...context, sizes: { entries: [2_000], timeoutSeconds: 30 } });
    expect(report.rows).toHaveLength(1);
    const [row] = report.rows;
    expect(row!.entries).toBeGreaterThan(1_900);
    for (const value of [row!.bytesPerEntry, row!.allocatedBytesPerEntry, row!.fillInsertsPerSecond, row!.steadyInsertsPerSecond]) positive(value);
    expect(row!.notStored).toBe(0);
  });
});
