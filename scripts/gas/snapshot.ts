import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The committed gas snapshot that `npm run bench:gas -- --update` writes and the gas test compares against. */
export const gasSnapshotPath = fileURLToPath(new URL("../../test/gas-snapshot.json", import.meta.url));

/** The committed snapshot, or undefined before the first `--update`. */
export function readGasSnapshot(): Record<string, number> | undefined {
  if (!existsSync(gasSnapshotPath)) return undefined;
  return JSON.parse(readFileSync(gasSnapshotPath, "utf8")) as Record<string, number>;
}
