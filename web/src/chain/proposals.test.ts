import { decodeFunctionData, getAddress, keccak256, toBytes, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { timelineLayout } from "../lib/timelineLayout.ts";
import { buildProposal } from "./buildProposal.ts";
import { describeProposalAction } from "./describeProposalAction.ts";

const registry = getAddress("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
const keyId: Hex = keccak256(toBytes("a key"));
const names = ["read", "trade", "withdraw", "admin"];
const proposer = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

describe("buildProposal and describeProposalAction", () => {
  it("revokes a key: calldata the registry decodes, a Markdown description, words for the card", () => {
    const built = buildProposal({ registry, draft: { kind: "revoke", keyId, reason: "leaked" }, title: "Revoke key 0x12", rationale: "  Seen in logs.  ", proposer });
    expect(built.targets).toEqual([registry]);
    expect(built.values).toEqual([0n]);
    expect(built.description).toBe(`# Revoke key 0x12\n\nSeen in logs.\n\n#proposer=${proposer}`);
    expect(decodeFunctionData({ abi: keyRegistryAbi, data: built.calldatas[0]! })).toEqual({ functionName: "governanceRevoke", args: [keyId, "leaked"] });
    expect(describeProposalAction({ target: registry, data: built.calldatas[0]!, registry, scopeNames: names })).toEqual({
      text: "Revoke key",
      keyId,
      detail: "leaked",
    });
  });

  it("describes the other registry changes", () => {
    const action = (draft: Parameters<typeof buildProposal>[0]["draft"]) =>
      describeProposalAction({ target: registry, data: buildProposal({ registry, draft, title: "t", proposer }).calldatas[0]!, registry, scopeNames: names });
    expect(action({ kind: "unsuspend", keyId })).toEqual({ text: "Lift the suspension of key", keyId });
    expect(action({ kind: "guardian", guardian: registry, enabled: false }).text).toBe(`Remove guardian ${registry}`);
    expect(
      action({ kind: "policy", policy: { maxLifetime: 86_400 * 30, maxOverlap: 3_600, maxSuspension: 86_400, maxKeysPerOwner: 50, allowedAlgorithms: 0b0010, allowedScopes: 0b0011 } }).text,
    ).toBe("Set the policy: lifetime up to 30 d, overlap up to 1 h, suspensions up to 1 d, 50 live keys per owner, algorithms Ed25519, scopes read, trade");
  });

  it("a revocation's reach: the key, its lineage, or every key of its owner (the id's first 20 bytes)", () => {
    const owned = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8000000000000000000000001" as Hex;
    const built = (scope: "key" | "lineage" | "owner") => buildProposal({ registry, draft: { kind: "revoke", keyId: owned, reason: "r", scope }, title: "t", proposer }).calldatas[0]!;
    expect(decodeFunctionData({ abi: keyRegistryAbi, data: built("key") })).toEqual({ functionName: "governanceRevoke", args: [owned, "r"] });
    expect(decodeFunctionData({ abi: keyRegistryAbi, data: built("lineage") })).toEqual({ functionName: "governanceRevokeLineage", args: [owned, "r"] });
    expect(decodeFunctionData({ abi: keyRegistryAbi, data: built("owner") })).toEqual({ functionName: "governanceRevokeOwner", args: [proposer, "r"] });

    const words = (data: Hex) => describeProposalAction({ target: registry, data, registry, scopeNames: names });
    expect(words(built("lineage"))).toEqual({
      text: "Revoke key",
      keyId: owned,
      note: "and every later version of its lineage, as it stands at execution (a rotation during the vote does not escape)",
      detail: "r",
    });
    expect(words(built("owner"))).toEqual({
      text: "Revoke every key of owner",
      owner: proposer,
      note: "at once and finally, and refuse the owner's new keys and rotations (cannot be undone)",
      detail: "r",
      final: true,
    });
  });

  it("extends a suspension to a given end, in UTC for voters anywhere", () => {
    const data = buildProposal({ registry, draft: { kind: "extend-suspension", keyId, until: 1_793_700_000 }, title: "t", proposer }).calldatas[0]!;
    expect(decodeFunctionData({ abi: keyRegistryAbi, data })).toEqual({ functionName: "extendSuspension", args: [keyId, 1_793_700_000] });
    expect(describeProposalAction({ target: registry, data, registry, scopeNames: names })).toEqual({
      text: "Keep key",
      keyId,
      note: "suspended until 2026-11-03 10:00 UTC (extends a guardian's suspension)",
    });
  });

  it("does not pretend to understand calls to other contracts", () => {
    const text = describeProposalAction({ target: "0x0000000000000000000000000000000000000001", data: "0xdeadbeef", registry, scopeNames: names }).text;
    expect(text).toBe("Call 0x0000…0001 with 0xdeadbeef");
  });
});

describe("timelineLayout", () => {
  it("puts overlapping versions and now on one axis", () => {
    const layout = timelineLayout({
      items: [
        { id: "v1", from: 0, to: 150 },
        { id: "v2", from: 100, to: 400 },
      ],
      now: 120,
    });
    expect(layout).toEqual({
      start: 0,
      end: 400,
      bars: [
        { id: "v1", left: 0, width: 37.5 },
        { id: "v2", left: 25, width: 75 },
      ],
      now: 30,
    });
  });

  it("stretches the axis to include now and keeps tiny windows visible", () => {
    const layout = timelineLayout({ items: [{ id: "v1", from: 100, to: 101 }], now: 10_100 });
    expect(layout.start).toBe(100);
    expect(layout.now).toBe(100);
    expect(layout.bars[0]!.width).toBe(0.5);
    expect(timelineLayout({ items: [], now: 5 }).bars).toEqual([]);
  });
});
