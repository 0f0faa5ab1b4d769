// Gas benchmark: `node scripts/gas.ts` prints gasUsed per KeyRegistry operation as
// a markdown table next to the targets and reference figures; `--update` rewrites
// test/gas-snapshot.json, which test/contracts/gas.test.ts holds the contract to.
import { writeFileSync } from "node:fs";
import { compareGas, formatGasTable, gasSnapshotPath, measureGas, readGasSnapshot } from "./gas/index.ts";

const update = process.argv.includes("--update");
const measured = await measureGas();
const snapshot = readGasSnapshot();
console.log(formatGasTable({ measured, snapshot }));

const { problems } = compareGas({ measured, snapshot: update ? undefined : snapshot });
if (update) {
  writeFileSync(gasSnapshotPath, `${JSON.stringify(measured, null, 2)}\n`);
  console.log(`\nwrote ${gasSnapshotPath}`);
}
for (const problem of problems) console.error(`gas: ${problem}`);
process.exitCode = problems.length > 0 ? 1 : 0;
