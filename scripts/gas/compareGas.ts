import { type GasFigures, gasOperations, gasTargets, gasTolerance, gasWaivers } from "./figures.ts";

export type CompareGasParameters = {
  measured: GasFigures;
  /** The committed snapshot (test/gas-snapshot.json); absent before the first `--update`. */
  snapshot?: Partial<Record<string, number>> | undefined;
  /** Allowed growth over the snapshot; default 5 %. */
  tolerance?: number | undefined;
};
export type CompareGasReturnType = {
  /** Each failed check, as a sentence; empty when all hold. */
  problems: string[];
};

/** Checks fresh figures against the targets and against the committed snapshot. */
export function compareGas({ measured, snapshot, tolerance = gasTolerance }: CompareGasParameters): CompareGasReturnType {
  const problems: string[] = [];
  for (const { id, label } of gasOperations) {
    const gas = measured[id];
    const target = gasTargets[id];
    const waiver = gasWaivers[id];
    if (waiver) {
      if (gas > waiver.ceiling) problems.push(`${label}: ${gas} gas exceeds its waiver ceiling of ${waiver.ceiling} (budget ${target})`);
    } else if (target !== undefined && gas > target) {
      problems.push(`${label}: ${gas} gas exceeds the target of ${target}`);
    }
    if (!snapshot) continue;
    const previous = snapshot[id];
    if (previous === undefined) {
      problems.push(`${label}: not in the gas snapshot (run \`node scripts/gas.ts --update\`)`);
    } else if (gas > previous * (1 + tolerance)) {
      const growth = ((gas / previous - 1) * 100).toFixed(1);
      problems.push(`${label}: ${gas} gas is ${growth} % above the snapshot's ${previous} (limit ${tolerance * 100} %)`);
    }
  }
  if (snapshot) {
    const known = new Set<string>(gasOperations.map((o) => o.id));
    for (const id of Object.keys(snapshot)) {
      if (!known.has(id)) problems.push(`the gas snapshot lists "${id}", which is no longer measured`);
    }
  }
  return { problems };
}
