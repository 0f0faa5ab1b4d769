import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useConnection } from "wagmi";
import { mergeProposals, type Proposal, readProposalChainState } from "../../chain/readProposals.ts";
import { useChainHead, useIndexedProposals } from "../../indexer/index.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

/**
 * The proposals: from the indexer (texts, actions, tallies, transitions; asked
 * again with each indexed block, so a vote shows within a second or two), merged
 * with the few contract reads that must be current (see readProposalChainState),
 * asked again with each chain block.
 */
export function useProposals(): { data: Proposal[] | undefined; error: Error | null } {
  const { runtime, client } = useRuntime();
  const { address } = useConnection();
  const head = useChainHead();
  const indexed = useIndexedProposals();
  const ids = indexed.data?.map((p) => `${p.proposalId}:${p.voteStart}`).join(",");
  const chain = useQuery({
    queryKey: ["keyledger", "proposal-chain-state", ids, head.data?.number.toString(), address],
    enabled: indexed.data !== undefined && head.data !== undefined,
    queryFn: () =>
      readProposalChainState({
        client,
        governor: runtime.addresses.KeyLedgerGovernor,
        token: runtime.addresses.KeyLedgerToken,
        account: address,
        proposals: indexed.data!,
        now: head.data!.timestamp,
      }),
    placeholderData: keepPreviousData,
  });
  const data = useMemo(() => (indexed.data && chain.data ? mergeProposals(indexed.data, chain.data) : undefined), [indexed.data, chain.data]);
  return { data, error: indexed.error ?? chain.error ?? null };
}
