// Smoke test of benchmark 8 (scripts/bench/resolverIndex.ts) with tiny counts on a real
// hardhat node: it runs end to end and its figures are well formed. No speed asserted.
import { describe, expect, it } from "vitest";
import { resolverIndexBench } from "../../scripts/bench/resolverIndex.ts";

describe("resolver benchmark (smoke, tiny counts)", () => {
  it("measures heap per key in a child process and cold vs checkpoint start on a seeded chain", async () => {
    const report = await resolverIndexBench({ quick: true, log: () => {}, sizes: { chainKeys: [40], memoryKeys: [3_000], timeoutSeconds: 60 } });
    expect(report.memory).toHaveLength(1);
    expect(report.memory[0]).toMatchObject({ keys: 3_000 });
    expect(report.memory[0]!.bytesPerKey).toBeGreaterThan(100);
    expect(report.starts).toHaveLength(1);
    const [start] = report.starts;
    expect(start).toMatchObject({ keys: 40 });
    for (const value of [start!.coldStartMs, start!.checkpointStartMs, start!.checkpointWriteMs, start!.checkpointBytes]) expect(value).toBeGreaterThan(0);
    expect(start!.catchUpBlocks).toBeGreaterThanOrEqual(500);
    expect(report.markdown).toContain("| keys | blocks | cold start (backfill) |");
  });
});
