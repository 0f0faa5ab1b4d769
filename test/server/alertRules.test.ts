// The shipped Prometheus alerting rules, checked and unit-tested by Prometheus's own promtool.
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "../../ops/prometheus");
const promtool = (() => {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return "promtool";
  } catch {
    return undefined;
  }
})();
if (!promtool) console.warn("Skipping the alert rule tests: promtool is not installed (Debian/Ubuntu: apt-get install -y prometheus).");

describe.skipIf(!promtool)("ops/prometheus alerting rules (promtool)", () => {
  const run = (args: string[]) => promisify(execFile)(promtool!, args, { cwd: dir });

  it("pass `promtool check rules`", async () => {
    const { stdout } = await run(["check", "rules", "keyledger.rules.yml"]);
    expect(stdout).toContain("SUCCESS: 8 rules found");
  });

  it("pass their unit tests (each alert fires on its input and stays silent otherwise)", async () => {
    const { stdout, stderr } = await run(["test", "rules", "keyledger.rules.test.yml"]);
    expect(`${stdout}${stderr}`).toContain("SUCCESS");
  });

  it("fail the unit tests when an alert's threshold changes (the tests can fail)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "keyledger-rules-"));
    try {
      const rules = readFileSync(join(dir, "keyledger.rules.yml"), "utf8").replace('{reason="replayed-nonce"}[5m])) > 5', '{reason="replayed-nonce"}[5m])) > 500');
      writeFileSync(join(scratch, "keyledger.rules.yml"), rules);
      copyFileSync(join(dir, "keyledger.rules.test.yml"), join(scratch, "keyledger.rules.test.yml"));
      const failed = await promisify(execFile)(promtool!, ["test", "rules", "keyledger.rules.test.yml"], { cwd: scratch }).catch((e) => e);
      expect(failed.code).toBe(1);
      expect(`${failed.stdout}${failed.stderr}`).toContain("KeyLedgerReplayedNonceBurst");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
