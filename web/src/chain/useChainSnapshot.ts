import { useConnection } from "wagmi";
import { KeyDirectory, useChainHead, useIndexedHead, useIndexerHealth, useKeysById, useOwnerKeys, useRegistryFacts, useWatchedKeys } from "../indexer/index.ts";
import type { BlockRef, ProposalCreated, RegistryIndex } from "../indexer/index.ts";

export type ChainSnapshot = {
  /** The chain head the RPC reports: its time is "now" for validity windows. */
  head: BlockRef;
  /** The block the indexer has reached: keys and history are as of this block. */
  indexed: BlockRef;
  /** The indexer is down or behind: show the registry data as possibly out of date. */
  stale: boolean;
  /** The connected account's keys and any key a page asked for (not the whole registry). */
  registry: RegistryIndex;
  proposalsCreated: ReadonlyMap<bigint, ProposalCreated>;
};

/**
 * The chain head and what the pages need of the registry, read from the indexer:
 * the connected account's keys, keys asked for by id, policy, scope names,
 * guardians and proposal texts. `data` stays at the last good answer when a read
 * fails; `stale` says so.
 */
export function useChainSnapshot(): { data: ChainSnapshot | undefined; error: Error | null } {
  const { address } = useConnection();
  const chain = useChainHead();
  const indexed = useIndexedHead();
  const health = useIndexerHealth();
  const facts = useRegistryFacts();
  const own = useOwnerKeys(address);
  const watched = useKeysById(useWatchedKeys());
  const error = chain.error ?? indexed.error ?? facts.error ?? own.error ?? null;
  const ownReady = !address || own.data !== undefined;
  if (!chain.data || !indexed.data || !facts.data || !ownReady) return { data: undefined, error };
  const keys = new KeyDirectory();
  for (const key of [...(watched.data ?? []), ...(own.data ?? [])]) keys.set(key.keyId, key);
  return {
    data: {
      head: chain.data,
      indexed: indexed.data,
      stale: health.stale,
      registry: { keys, policy: facts.data.policy, scopeNames: facts.data.scopeNames, guardians: facts.data.guardians },
      proposalsCreated: facts.data.proposalsCreated,
    },
    error,
  };
}
