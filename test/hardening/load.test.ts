// A short, bounded run of scripts/stress/load.ts (the long one is in `npm run
// stress`): the reference server under a mix of valid, replayed and forged
// requests on loopback. It asserts verdicts only, never timing.
import { describe, expect, it } from "vitest";
import { runLoad } from "../../scripts/stress/load.ts";
import { reportFigures } from "../../scripts/stress/figures.ts";

describe("reference server under load", () => {
  it("gives every request of a mixed load its verdict: valid accepted exactly once, replays and forgeries rejected, fail closed at the nonce bound", async () => {
    const report = await runLoad({ durationMs: 3_000, connections: 16, validRequests: 3_000, bounded: { maxEntries: 500, validRequests: 1_200 } });
    reportFigures({ ...report.figures, suite: "load-quick", title: `${report.figures.title} [short run; timings not asserted]` });
    const { sustained, bounded } = report;
    expect([sustained.wrong, sustained.notExactlyOnce, ...sustained.wrongSamples]).toEqual([0, 0]);
    expect(sustained.sent.valid).toBeGreaterThan(0);
    expect(sustained.sent.replayed + sustained.sent.forged).toBeGreaterThan(0);
    expect([bounded.wrong, bounded.notExactlyOnce, ...bounded.wrongSamples]).toEqual([0, 0]);
    expect(bounded.accepted).toBe(500);
    expect(bounded.refusedAtBound).toBe(bounded.sent.valid - 500);
    expect(bounded.memory.nonceEntries).toBe(500);
  });
});
