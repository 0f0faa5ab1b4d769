import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import type { BenchReport } from "./types.ts";

/** The combined summary: every bench's headline figures in one table, ready for the README. */
export function formatSummary(reports: readonly BenchReport[]): string {
  const rows = reports.flatMap((report) => report.summary.map((row) => [row.metric, row.value, row.target ?? "", format.check(row.ok)]));
  return markdownTable({ header: ["measure", "figure", "target", "met"], rows });
}
