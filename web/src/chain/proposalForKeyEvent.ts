import { type Address, decodeFunctionData, type Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import type { ExecutedProposal, KeyEvent } from "../indexer/index.ts";

export type ProposalForKeyEventParameters = {
  keyId: Hex;
  event: KeyEvent;
  proposals: readonly ExecutedProposal[];
  registry: Address;
  /**
   * The key's earlier versions (any order): a `governanceRevokeLineage` on one of them
   * revoked this key too. Without them only a lineage revocation named on this very key
   * is matched.
   */
  earlierVersions?: readonly Hex[] | undefined;
};

// The registry calls by which the DAO acts on a key, and the event each leaves in its history.
// "key": the first argument is the key (or, for batches, a list of keys); "lineage": the
// key or one of its earlier versions; "owner": the key's owner (a key id's first 20 bytes).
const governanceCalls: Record<string, { kind: KeyEvent["kind"]; names: "key" | "batch" | "lineage" | "owner" }> = {
  governanceRevoke: { kind: "revoked", names: "key" },
  governanceRevokeBatch: { kind: "revoked", names: "batch" },
  governanceRevokeLineage: { kind: "revoked", names: "lineage" },
  governanceRevokeOwner: { kind: "revoked", names: "owner" },
  unsuspend: { kind: "unsuspended", names: "key" },
  unsuspendBatch: { kind: "unsuspended", names: "batch" },
};

const same = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** Whether `proposal` has a registry call that does `kind` to `keyId`. */
function actsOn(proposal: ExecutedProposal, keyId: Hex, kind: KeyEvent["kind"], registry: Address, earlierVersions: readonly Hex[]): boolean {
  return proposal.actions.some((action) => {
    if (action.target.toLowerCase() !== registry.toLowerCase()) return false;
    let call: { functionName: string; args?: readonly unknown[] };
    try {
      call = decodeFunctionData({ abi: keyRegistryAbi, data: action.calldata });
    } catch {
      return false;
    }
    const effect = governanceCalls[call.functionName];
    if (!effect || effect.kind !== kind) return false;
    const first = call.args?.[0];
    switch (effect.names) {
      case "key":
        return same(first, keyId);
      case "batch":
        return Array.isArray(first) && first.some((id) => same(id, keyId));
      case "lineage":
        return same(first, keyId) || earlierVersions.some((id) => same(first, id));
      case "owner":
        return same(first, keyId.slice(0, 42));
    }
  });
}

/**
 * The executed proposal behind a governance revocation or lifted suspension in a
 * key's history, or undefined (the owner revoked it, a guardian acted, or no
 * proposal is known). Matched by the execution's transaction when the indexer has
 * it; else by the execution block and a decoded action on this very key, so a
 * proposal executed in the same block for another key is never named. A lineage
 * revocation names the key when it was called on the key or an earlier version; an owner
 * revocation (the indexer writes its "revoked" row into each of the owner's keys) when it
 * names the key's owner, the id's first 20 bytes.
 */
export function proposalForKeyEvent({ keyId, event, proposals, registry, earlierVersions = [] }: ProposalForKeyEventParameters): bigint | undefined {
  if (event.kind !== "revoked" && event.kind !== "unsuspended") return undefined;
  const tx = event.transactionHash.toLowerCase();
  const acts = (p: ExecutedProposal) => actsOn(p, keyId, event.kind, registry, earlierVersions);
  const byTransaction = proposals.find((p) => p.executedTransactionHash?.toLowerCase() === tx && acts(p));
  if (byTransaction) return byTransaction.proposalId;
  return proposals.find((p) => p.executedTransactionHash === undefined && p.executedBlock === event.blockNumber && acts(p))?.proposalId;
}
