import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { readProposals } from "./readProposals.ts";
import type { ChainSnapshot } from "./useChainSnapshot.ts";

/** The DAO's proposals as of the snapshot's head, refetched when the chain or the indexer moves. */
export function useProposals(snapshot: ChainSnapshot | undefined, account: Address | undefined) {
  const { runtime, client } = useRuntime();
  const head = snapshot?.head;
  return useQuery({
    queryKey: ["keyledger", "proposals", head?.number.toString(), snapshot?.indexed.number.toString(), account],
    enabled: Boolean(snapshot),
    queryFn: () =>
      readProposals({
        client,
        governor: runtime.addresses.KeyLedgerGovernor,
        token: runtime.addresses.KeyLedgerToken,
        account,
        created: snapshot!.proposalsCreated,
        now: head!.timestamp,
      }),
    placeholderData: keepPreviousData,
  });
}
