import { type GasFigures, gasOperations, gasReferences, gasTargets, gasWaivers } from "./figures.ts";

export type FormatGasTableParameters = {
  measured: GasFigures;
  snapshot?: Partial<Record<string, number>> | undefined;
};

/** The README's markdown table: gasUsed per operation next to the targets and reference figures. */
export function formatGasTable({ measured, snapshot }: FormatGasTableParameters): string {
  const n = (value: number | undefined) => (value === undefined ? "—" : value.toLocaleString("en-US"));
  const rows = [
    `| Operation | gasUsed | ${snapshot ? "Snapshot | " : ""}Budget (issue 9) | Met | Reference (same local chain) |`,
    `|---|---:|${snapshot ? "---:|" : ""}---:|---|---|`,
  ];
  for (const { id, label } of gasOperations) {
    const target = gasTargets[id];
    const waiver = gasWaivers[id];
    const met = target === undefined ? "" : measured[id] <= target ? "yes" : `no (${waiver?.reason ?? "over budget"})`;
    const cells = [label, n(measured[id]), ...(snapshot ? [n(snapshot[id])] : []), target ? `≤ ${n(target)}` : "", met, gasReferences[id] ?? ""];
    rows.push(`| ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}
