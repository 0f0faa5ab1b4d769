import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type GasTableParameters = BenchContext;

/**
 * Benchmark 6: the contract author's gas benchmark (scripts/gas) in the same
 * run: receipt gasUsed per KeyRegistry operation on an in-process Hardhat
 * chain, next to the targets and the committed snapshot. Loaded lazily: it
 * starts Hardhat, which the other benches do not need.
 */
export async function gasTableBench({ log }: GasTableParameters): Promise<BenchReport> {
  log("gas: measuring KeyRegistry operations on an in-process Hardhat network");
  const { compareGas, formatGasTable, gasOperations, gasTargets, measureGas, readGasSnapshot } = await import("../gas/index.ts");
  const measured = await measureGas();
  const snapshot = readGasSnapshot();
  const { problems } = compareGas({ measured, snapshot });
  const notes = ["Receipt gasUsed (21,000 base included) on an in-process Hardhat chain; `node scripts/gas.ts` prints the same table and `--update` rewrites the snapshot."];
  for (const problem of problems) notes.push(`**${problem}**`);
  const summary: SummaryRow[] = gasOperations
    .filter(({ id }) => gasTargets[id] !== undefined)
    .map(({ id, label }) => ({ metric: `gas: ${label}`, value: measured[id].toLocaleString("en-US"), target: `≤ ${gasTargets[id]!.toLocaleString("en-US")}`, ok: measured[id] <= gasTargets[id]! }));
  summary.push({
    metric: "gas: every target met, nothing > 5 % above the committed snapshot",
    value: problems.length ? problems.join("; ") : "yes",
    ok: problems.length === 0,
  });
  return { name: "gas", title: "6. Gas per KeyRegistry operation", markdown: [formatGasTable({ measured, snapshot }), "", ...notes.map((n) => `- ${n}`)].join("\n"), summary };
}
