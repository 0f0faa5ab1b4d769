// Runs the whole suite with vitest and ends with one plain summary line
// ("N passed, N failed, N skipped") that CI tooling can read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "keyledger-test-"));
const report = join(dir, "report.json");
const result = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--config",
    "test/vitest.config.ts",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);

let summary = "0 passed, 0 failed";
try {
  const r = JSON.parse(readFileSync(report, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
} catch {
  summary = "0 passed, 1 failed";
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nkeyledger: ${summary}`);
process.exit(result.status ?? 1);
