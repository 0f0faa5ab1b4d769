import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What one hardening suite reports: printed lines, plus data for the "What we tested" section. */
export type SuiteFigures = {
  /** File name and key, e.g. "hostile". */
  suite: string;
  title: string;
  /** Human-readable lines, printed as they are. */
  lines: string[];
  data: Record<string, unknown>;
};

/** True under `npm run stress`: suites then run their long versions. */
export const isStress = process.env.KEYLEDGER_STRESS === "1";

/** The quick figure in `npm test`, the long one under `npm run stress`; an env variable overrides both. */
export function scale({ quick, stress, env }: { quick: number; stress: number; env?: string | undefined }): number {
  const override = env === undefined ? undefined : process.env[env];
  if (override !== undefined && override !== "") {
    const value = Number(override);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${env} must be a positive integer, got "${override}"`);
    return value;
  }
  return isStress ? stress : quick;
}

/**
 * Prints a suite's figures and saves them (see `saveFigures`).
 */
export function reportFigures(figures: SuiteFigures): void {
  console.log([`${figures.title}`, ...figures.lines.map((line) => `  ${line}`)].join("\n"));
  saveFigures(figures);
}

/** When KEYLEDGER_FIGURES_DIR is set (scripts/stress.ts sets it), writes the figures there as `<suite>.json` for the summary. */
export function saveFigures(figures: SuiteFigures): void {
  const dir = process.env.KEYLEDGER_FIGURES_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${figures.suite}.json`), `${JSON.stringify({ ...figures, ranAt: new Date().toISOString() }, null, 2)}\n`);
}

/** 12,345 */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Counts by name, largest first: "bad-signature 120, malformed 80". */
export function tally(counts: ReadonlyMap<string, number> | Record<string, number>): string {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => `${name} ${count(n)}`)
    .join(", ");
}
