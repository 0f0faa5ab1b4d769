import { type Address, encodeFunctionData, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import type { ExecutedProposal, KeyEvent } from "../indexer/index.ts";
import { proposalForKeyEvent } from "./proposalForKeyEvent.ts";

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const other = "0x0000000000000000000000000000000000000009" as Address;
const id = (c: string) => `0x${c.repeat(64)}` as Hex;
const [k1, k2, k3] = [id("1"), id("2"), id("3")];
const call = (functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi: keyRegistryAbi, functionName, args } as never);
const event = (kind: KeyEvent["kind"], extra: Partial<KeyEvent> = {}): KeyEvent => ({ kind, blockNumber: 20n, logIndex: 1, transactionHash: id("a"), timestamp: 1_000, ...extra });
const proposal = (proposalId: bigint, actions: { target?: Address; calldata: Hex }[], extra: Partial<ExecutedProposal> = {}): ExecutedProposal => ({
  proposalId,
  executedBlock: 20n,
  executedTransactionHash: id("a"),
  actions: actions.map((a) => ({ target: a.target ?? registry, calldata: a.calldata })),
  ...extra,
});
const find = (keyId: Hex, e: KeyEvent, proposals: ExecutedProposal[], earlierVersions?: Hex[]) => proposalForKeyEvent({ keyId, event: e, proposals, registry, earlierVersions });

describe("proposalForKeyEvent", () => {
  it("names the proposal executed in the event's transaction that revoked or unsuspended this key", () => {
    expect(find(k1, event("revoked"), [proposal(7n, [{ calldata: call("governanceRevoke", [k1, "leaked"]) }])])).toBe(7n);
    expect(find(k2, event("unsuspended"), [proposal(8n, [{ calldata: call("unsuspend", [k2]) }])])).toBe(8n);
    // Batches: the key is one of several.
    expect(find(k2, event("revoked"), [proposal(9n, [{ calldata: call("governanceRevokeBatch", [[k1, k2], "incident"]) }])])).toBe(9n);
    expect(find(k3, event("unsuspended"), [proposal(10n, [{ calldata: call("unsuspendBatch", [[k3]]) }])])).toBe(10n);
  });

  it("never names a proposal that did something else, to another key, or to another contract", () => {
    const revokeK1 = proposal(7n, [{ calldata: call("governanceRevoke", [k1, "x"]) }]);
    expect(find(k2, event("revoked"), [revokeK1])).toBeUndefined();
    expect(find(k1, event("unsuspended"), [revokeK1])).toBeUndefined();
    expect(find(k1, event("revoked"), [proposal(7n, [{ target: other, calldata: call("governanceRevoke", [k1, "x"]) }])])).toBeUndefined();
    expect(find(k1, event("revoked"), [proposal(7n, [{ calldata: "0xdeadbeef" }])])).toBeUndefined();
    // Not governance acts: an owner's revocation in another transaction, a rotation.
    expect(find(k1, event("revoked", { transactionHash: id("b"), blockNumber: 21n }), [revokeK1])).toBeUndefined();
    expect(find(k1, event("registered"), [revokeK1])).toBeUndefined();
  });

  it("without the execution's transaction, matches by block and decoded action only", () => {
    const noTx = (n: bigint, keyId: Hex, block = 20n) => proposal(n, [{ calldata: call("governanceRevoke", [keyId, "x"]) }], { executedTransactionHash: undefined, executedBlock: block });
    expect(find(k1, event("revoked"), [noTx(3n, k2), noTx(4n, k1)])).toBe(4n);
    expect(find(k1, event("revoked"), [noTx(4n, k1, 19n)])).toBeUndefined();
    // A proposal known to have run in another transaction is not matched by block.
    expect(find(k1, event("revoked"), [proposal(5n, [{ calldata: call("governanceRevoke", [k1, "x"]) }], { executedTransactionHash: id("c") })])).toBeUndefined();
  });

  it("a lineage revocation names every version it reached: the key it was voted on and the later ones", () => {
    // v1 was voted on; the owner rotated to v2 and v3 during the vote.
    const owner = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const [v1, v2, v3] = ["1", "2", "3"].map((c) => `${owner}${c.repeat(24)}` as Hex);
    const lineage = proposal(11n, [{ calldata: call("governanceRevokeLineage", [v1, "dodging"]) }]);
    expect(find(v1!, event("revoked"), [lineage])).toBe(11n);
    expect(find(v3!, event("revoked"), [lineage], [v2!, v1!])).toBe(11n);
    // Without its earlier versions, a later key cannot tell; nor does a key of another lineage.
    expect(find(v3!, event("revoked"), [lineage])).toBeUndefined();
    expect(find(k2, event("revoked"), [lineage], [k1])).toBeUndefined();
    // An earlier version is not reached by a lineage revocation voted on a later one.
    expect(find(v1!, event("revoked"), [proposal(12n, [{ calldata: call("governanceRevokeLineage", [v2, "x"]) }])])).toBeUndefined();
    expect(find(v1!, event("unsuspended"), [lineage])).toBeUndefined();
  });

  it("an owner revocation names each key of that owner (the key id's first 20 bytes), and no one else's", () => {
    const owner = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
    const ownKey = `${owner.toLowerCase()}${"9".repeat(24)}` as Hex;
    const revokeOwner = proposal(13n, [{ calldata: call("governanceRevokeOwner", [owner, "botnet"]) }]);
    expect(find(ownKey, event("revoked"), [revokeOwner])).toBe(13n);
    expect(find(k1, event("revoked"), [revokeOwner])).toBeUndefined();
    expect(find(ownKey, event("revoked", { transactionHash: id("b"), blockNumber: 21n }), [revokeOwner])).toBeUndefined();
  });
});
