import { type GasFigures, gasOperations, gasReferences, gasTargets } from "./figures.ts";

export type FormatGasTableParameters = {
  measured: GasFigures;
  snapshot?: Partial<Record<string, number>> | undefined;
};

/** The README's markdown table: gasUsed per operation next to the targets and reference figures. */
export function formatGasTable({ measured, snapshot }: FormatGasTableParameters): string {
  const n = (value: number | undefined) => (value === undefined ? "—" : value.toLocaleString("en-US"));
  const rows = [
    `| Operation | gasUsed | ${snapshot ? "Snapshot | " : ""}Target | Reference (same local chain) |`,
    `|---|---:|${snapshot ? "---:|" : ""}---:|---|`,
  ];
  for (const { id, label } of gasOperations) {
    const target = gasTargets[id];
    const cells = [label, n(measured[id]), ...(snapshot ? [n(snapshot[id])] : []), target ? `≤ ${n(target)}` : "", gasReferences[id] ?? ""];
    rows.push(`| ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}
