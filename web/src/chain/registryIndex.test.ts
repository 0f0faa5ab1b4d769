import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { keyStatusAt } from "./keyStatusAt.ts";
import { lineages } from "./lineages.ts";
import { applyRegistryLogs, emptyRegistryIndex, type RegistryLog } from "./registryIndex.ts";

const owner: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const other: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const guardian: Address = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
const timelock: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

let block = 10n;
const log = (eventName: string, args: Record<string, unknown>): RegistryLog => ({
  eventName,
  args,
  blockNumber: block++,
  logIndex: 0,
  transactionHash: id(Number(block) + 1000),
});
const newKey = { algorithm: 1, scopes: 0b11, publicKey: "0x01", proof: "0x02" };

const history: RegistryLog[] = [
  log("GovernanceTransferred", { previousGovernance: "0x0000000000000000000000000000000000000000", newGovernance: timelock }),
  log("PolicyUpdated", { maxLifetime: 31_536_000, maxOverlap: 2_592_000, allowedAlgorithms: 0x0e, allowedScopes: 0x0f }),
  log("ScopeNamed", { bit: 0, name: "read" }),
  log("ScopeNamed", { bit: 1, name: "trade" }),
  log("GuardianUpdated", { guardian, enabled: true }),
  log("KeyRegistered", { keyId: id(1), owner, ...newKey, notBefore: 1_000, expiresAt: 9_000, label: "bot" }),
  log("KeyRegistered", { keyId: id(9), owner: other, ...newKey, algorithm: 2, notBefore: 1_000, expiresAt: 9_000, label: "theirs" }),
  log("KeyRotated", { oldKeyId: id(1), newKeyId: id(2), owner, version: 2, ...newKey, scopes: 0b1, notBefore: 2_000, expiresAt: 20_000, oldExpiresAt: 2_500 }),
  log("OverlapExtended", { keyId: id(1), expiresAt: 3_000 }),
  log("KeyRotated", { oldKeyId: id(2), newKeyId: id(3), owner, version: 3, ...newKey, notBefore: 4_000, expiresAt: 30_000, oldExpiresAt: 5_000 }),
  log("KeySuspended", { keyId: id(3), guardian, reason: "odd traffic" }),
  log("KeyUnsuspended", { keyId: id(3), by: timelock }),
  log("KeyRevoked", { keyId: id(9), by: timelock, reason: "leaked" }),
  log("ScopeNamed", { bit: 1, name: "" }),
  log("GuardianUpdated", { guardian, enabled: false }),
];

describe("applyRegistryLogs", () => {
  const index = applyRegistryLogs(emptyRegistryIndex, history);

  it("rebuilds policy, scope names, guardians and governance from events alone", () => {
    expect(index.policy).toEqual({ maxLifetime: 31_536_000, maxOverlap: 2_592_000, allowedAlgorithms: 0x0e, allowedScopes: 0x0f });
    expect(index.scopeNames.slice(0, 2)).toEqual(["read", ""]);
    expect(index.guardians).toEqual([]);
    expect(index.governance).toBe(timelock);
  });

  it("links a lineage's versions, inherits the label and records the cut expiries", () => {
    const [v1, v2, v3] = [index.keys.get(id(1))!, index.keys.get(id(2))!, index.keys.get(id(3))!];
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect([v1.label, v2.label, v3.label]).toEqual(["bot", "bot", "bot"]);
    expect([v1.lineageId, v2.lineageId, v3.lineageId]).toEqual([id(1), id(1), id(1)]);
    expect(v1).toMatchObject({ rotated: true, nextKeyId: id(2), expiresAt: 3_000 });
    expect(v2).toMatchObject({ rotated: true, previousKeyId: id(1), nextKeyId: id(3), expiresAt: 5_000, scopes: 0b1 });
    expect(v3).toMatchObject({ rotated: false, previousKeyId: id(2), state: "active", alg: "ed25519" });
    // Registry v2: the original expiries cap extensions; v1 is two versions behind the head.
    expect([v1.originalExpiresAt, v2.originalExpiresAt, v3.originalExpiresAt]).toEqual([9_000, 20_000, undefined]);
    expect([v1.superseded, v2.superseded, v3.superseded]).toEqual([true, undefined, undefined]);
    expect(v1.events.map((e) => e.kind)).toEqual(["registered", "rotated-out", "overlap-extended"]);
    expect(v3.events.map((e) => [e.kind, e.by, e.reason])).toEqual([
      ["rotated-in", owner, undefined],
      ["suspended", guardian, "odd traffic"],
      ["unsuspended", timelock, undefined],
    ]);
  });

  it("records who revoked and why", () => {
    const theirs = index.keys.get(id(9))!;
    expect(theirs).toMatchObject({ state: "revoked", alg: "ecdsa-p256-sha256", owner: other });
    expect(theirs.events.at(-1)).toMatchObject({ kind: "revoked", by: timelock, reason: "leaked" });
  });

  it("is incremental and leaves the previous state untouched", () => {
    const first = applyRegistryLogs(emptyRegistryIndex, history.slice(0, 8));
    const rest = applyRegistryLogs(first, history.slice(8));
    expect(rest.keys.get(id(3))).toEqual(index.keys.get(id(3)));
    expect(first.keys.get(id(1))!.expiresAt).toBe(2_500);
    expect(applyRegistryLogs(first, [])).toBe(first);
  });
});

describe("lineages", () => {
  const index = applyRegistryLogs(emptyRegistryIndex, history);
  it("groups an owner's keys by lineage with versions in order", () => {
    const mine = lineages(index, owner.toLowerCase() as Address);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.label).toBe("bot");
    expect(mine[0]!.versions.map((k) => k.version)).toEqual([1, 2, 3]);
    expect(lineages(index).map((l) => l.label)).toEqual(["bot", "theirs"]);
  });
});

describe("keyStatusAt", () => {
  const key = { state: "active" as const, notBefore: 1_000, expiresAt: 1_000 + 30 * 86_400, rotated: false };
  it("follows the contract's order: state, then not yet valid, then expired", () => {
    expect(keyStatusAt(key, 999).status).toBe("not-yet-valid");
    expect(keyStatusAt(key, 1_000).status).toBe("active");
    expect(keyStatusAt(key, key.expiresAt - 1).status).toBe("active");
    expect(keyStatusAt(key, key.expiresAt).status).toBe("expired");
    expect(keyStatusAt({ ...key, state: "revoked" }, 5_000).status).toBe("revoked");
    expect(keyStatusAt({ ...key, state: "suspended" }, 5_000).status).toBe("suspended");
  });

  it("warns a week before the end, and marks a rotated-out key as overlapping", () => {
    expect(keyStatusAt(key, key.expiresAt - 7 * 86_400 - 1).expiresSoon).toBe(false);
    expect(keyStatusAt(key, key.expiresAt - 7 * 86_400).expiresSoon).toBe(true);
    expect(keyStatusAt({ ...key, rotated: true }, 5_000).inOverlap).toBe(true);
    expect(keyStatusAt({ ...key, rotated: true }, key.expiresAt).inOverlap).toBe(false);
  });
});
