// Holds the registry to its gas budget: fresh figures against the targets
// and against the committed snapshot (test/gas-snapshot.json, >5 % growth fails).
// Refresh the snapshot deliberately with `node scripts/gas.ts --update`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareGas, formatGasTable, gasOperations, measureGas, readGasSnapshot } from "../../scripts/gas/index.ts";

describe("KeyRegistry gas", () => {
  it("stays within the targets and within 5 % of the committed snapshot", async () => {
    const snapshot = readGasSnapshot();
    expect(snapshot, "test/gas-snapshot.json is missing: run `node scripts/gas.ts --update`").toBeDefined();
    const measured = await measureGas();
    console.log(formatGasTable({ measured, snapshot }));
    expect(Object.keys(measured)).toEqual(gasOperations.map((o) => o.id));
    expect(compareGas({ measured, snapshot }).problems).toEqual([]);
  });

  it("deploys: the registry's runtime code stays under the EIP-170 limit of 24,576 bytes (viaIR, 800 runs)", () => {
    const artifact = JSON.parse(readFileSync(new URL("../../artifacts/contracts/KeyRegistry.sol/KeyRegistry.json", import.meta.url), "utf8")) as { deployedBytecode: string };
    const size = (artifact.deployedBytecode.length - 2) / 2;
    console.log(`KeyRegistry deployed bytecode: ${size} bytes (${24_576 - size} to spare)`);
    expect(size).toBeLessThanOrEqual(24_576);
  });

  it("flags growth above 5 %, a missed target, and operations missing from the snapshot", () => {
    const measured = Object.fromEntries(gasOperations.map((o) => [o.id, 30_000])) as Parameters<typeof compareGas>[0]["measured"];
    const snapshot: Record<string, number> = { ...measured, revoke: 28_000, stale: 1 };
    delete snapshot.suspend;
    const { problems } = compareGas({
      measured: { ...measured, "register.firstKey": 84_000, "register.ed25519": 70_000, "register.ecdsaSecp256k1": 81_000, rotate: 101_000, revoke: 29_500 },
      snapshot: { ...snapshot, "register.firstKey": 84_000, "register.ed25519": 70_000, "register.ecdsaSecp256k1": 81_000, rotate: 101_000 },
    });
    expect(problems).toEqual([
      "register (Ed25519, the owner's first key): 84000 gas exceeds its waiver ceiling of 83000 (budget 65000)",
      "register (Ed25519): 70000 gas exceeds the target of 65000",
      "register (ECDSA secp256k1): 81000 gas exceeds the target of 80000",
      "rotate (Ed25519 → Ed25519): 101000 gas exceeds the target of 100000",
      "revoke: 29500 gas is 5.4 % above the snapshot's 28000 (limit 5 %)",
      "suspend (guardian): not in the gas snapshot (run `node scripts/gas.ts --update`)",
      'the gas snapshot lists "stale", which is no longer measured',
    ]);
    expect(compareGas({ measured, snapshot: { ...measured, revoke: 28_572 } }).problems).toEqual([]);
  });
});
