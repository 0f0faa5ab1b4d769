import { type Address, encodeFunctionData, getAddress, type Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { withProposerSuffix } from "../../../src/governance/withProposerSuffix.ts";
import type { RegistryPolicy } from "../indexer/index.ts";

/**
 * What a revocation reaches: the key only (`governanceRevoke`), the key and every later
 * version of its lineage as it stands at execution (`governanceRevokeLineage`), or every
 * key of its owner, finally, refusing the owner's new keys (`governanceRevokeOwner`).
 */
export type RevokeScope = "key" | "lineage" | "owner";

export type ProposalDraft =
  | { kind: "revoke"; keyId: Hex; reason: string; scope?: RevokeScope | undefined }
  | { kind: "extend-suspension"; keyId: Hex; until: number }
  | { kind: "unsuspend"; keyId: Hex }
  | { kind: "policy"; policy: RegistryPolicy }
  | { kind: "guardian"; guardian: Address; enabled: boolean };

export type BuildProposalParameters = {
  registry: Address;
  draft: ProposalDraft;
  title: string;
  rationale?: string | undefined;
  /** The connected account: the description ends with its `#proposer=` suffix so nobody else can submit (and cancel) a copy. */
  proposer: Address;
};

export type BuiltProposal = { targets: Address[]; values: bigint[]; calldatas: Hex[]; description: string };

/** The governor `propose` arguments for one registry change; the description is Markdown with the title first and the proposer suffix last. */
export function buildProposal({ registry, draft, title, rationale, proposer }: BuildProposalParameters): BuiltProposal {
  const data = (() => {
    switch (draft.kind) {
      case "revoke":
        if (draft.scope === "owner") return encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeOwner", args: [ownerOfKeyId(draft.keyId), draft.reason] });
        if (draft.scope === "lineage") return encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeLineage", args: [draft.keyId, draft.reason] });
        return encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevoke", args: [draft.keyId, draft.reason] });
      case "extend-suspension":
        return encodeFunctionData({ abi: keyRegistryAbi, functionName: "extendSuspension", args: [draft.keyId, draft.until] });
      case "unsuspend":
        return encodeFunctionData({ abi: keyRegistryAbi, functionName: "unsuspend", args: [draft.keyId] });
      case "policy":
        return encodeFunctionData({ abi: keyRegistryAbi, functionName: "setPolicy", args: [draft.policy] });
      case "guardian":
        return encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [draft.guardian, draft.enabled] });
    }
  })();
  const body = rationale?.trim() ? `\n\n${rationale.trim()}` : "";
  return { targets: [registry], values: [0n], calldatas: [data], description: withProposerSuffix({ description: `# ${title.trim()}${body}`, proposer }) };
}

/** The owner a registry key id names: its first 20 bytes (ids are namespaced per owner). */
export function ownerOfKeyId(keyId: Hex): Address {
  return getAddress(keyId.slice(0, 42));
}
