import { type Address, decodeFunctionData, type Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import type { ExecutedProposal, KeyEvent } from "../indexer/index.ts";

export type ProposalForKeyEventParameters = {
  keyId: Hex;
  event: KeyEvent;
  proposals: readonly ExecutedProposal[];
  registry: Address;
};

// The registry calls by which the DAO acts on a key, and the event each leaves in its history.
const governanceCalls: Record<string, { kind: KeyEvent["kind"]; batch: boolean }> = {
  governanceRevoke: { kind: "revoked", batch: false },
  governanceRevokeBatch: { kind: "revoked", batch: true },
  unsuspend: { kind: "unsuspended", batch: false },
  unsuspendBatch: { kind: "unsuspended", batch: true },
};

/** Whether `proposal` has a registry call that does `kind` to `keyId`. */
function actsOn(proposal: ExecutedProposal, keyId: Hex, kind: KeyEvent["kind"], registry: Address): boolean {
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
    const ids = (effect.batch ? call.args?.[0] : [call.args?.[0]]) as readonly Hex[] | undefined;
    return ids?.some((id) => id.toLowerCase() === keyId.toLowerCase()) ?? false;
  });
}

/**
 * The executed proposal behind a governance revocation or lifted suspension in a
 * key's history, or undefined (the owner revoked it, a guardian acted, or no
 * proposal is known). Matched by the execution's transaction when the indexer has
 * it; else by the execution block and a decoded action on this very key, so a
 * proposal executed in the same block for another key is never named.
 */
export function proposalForKeyEvent({ keyId, event, proposals, registry }: ProposalForKeyEventParameters): bigint | undefined {
  if (event.kind !== "revoked" && event.kind !== "unsuspended") return undefined;
  const tx = event.transactionHash.toLowerCase();
  const byTransaction = proposals.find((p) => p.executedTransactionHash?.toLowerCase() === tx && actsOn(p, keyId, event.kind, registry));
  if (byTransaction) return byTransaction.proposalId;
  return proposals.find((p) => p.executedTransactionHash === undefined && p.executedBlock === event.blockNumber && actsOn(p, keyId, event.kind, registry))?.proposalId;
}
