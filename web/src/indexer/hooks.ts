import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import type { Address, Hex } from "viem";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { type IndexerHealth, indexerHealth } from "./indexerHealth.ts";
import type { IndexerClient } from "./createIndexerClient.ts";
import { keyEventId } from "../lib/keyEventId.ts";
import type { BlockRef, IndexedKey } from "./types.ts";

/** How often the chain head and the indexer's head are read (a change shows within this plus Ponder's polling). */
export const headPollMs = 1_000;

/** The chain head as the wallet's RPC reports it (block number and chain time). */
export function useChainHead() {
  const { client } = useRuntime();
  return useQuery<BlockRef>({
    queryKey: ["keyledger", "chain-head"],
    queryFn: async () => {
      const block = await client.getBlock({ blockTag: "latest" });
      return { number: block.number, timestamp: Number(block.timestamp) };
    },
    refetchInterval: headPollMs,
    retry: 1,
  });
}

/** The block the indexer has reached (`/status`), polled. */
export function useIndexedHead() {
  const { indexer } = useRuntime();
  return useQuery<BlockRef>({
    queryKey: ["keyledger", "indexer", "status", indexer?.url],
    queryFn: () => indexer!.status(),
    enabled: indexer !== null,
    refetchInterval: headPollMs,
    refetchIntervalInBackground: false,
    retry: false,
  });
}

/** Indexer head, chain head and lag: whether what the indexer says is current. */
export function useIndexerHealth(): IndexerHealth & { chainHead: BlockRef | undefined; chainError: Error | null } {
  const { indexer } = useRuntime();
  const chain = useChainHead();
  const indexed = useIndexedHead();
  return {
    ...indexerHealth({ chainHead: chain.data, indexed: indexed.data, indexerError: indexed.error, configured: indexer !== null }),
    chainHead: chain.data,
    chainError: chain.error,
  };
}

/**
 * An indexer query, asked again whenever the indexer reaches a new block; the last
 * answer stays while the next is on its way (and while the indexer is down).
 */
function useIndexerQuery<T>(name: string, args: readonly unknown[], fn: (indexer: NonNullable<ReturnType<typeof useRuntime>["indexer"]>) => Promise<T>, enabled = true) {
  const { indexer } = useRuntime();
  const head = useIndexedHead();
  const block = head.data?.number;
  return useQuery<T & {}, Error>({
    queryKey: ["keyledger", "indexer", name, ...args, block?.toString()],
    queryFn: async () => (await fn(indexer!)) as T & {},
    enabled: enabled && indexer !== null && block !== undefined,
    placeholderData: keepPreviousData,
    retry: 1,
  });
}

/** Every key of `owner` (all lineages and versions) with their audit trails. */
export function useOwnerKeys(owner: Address | undefined) {
  return useIndexerQuery("owner", [owner?.toLowerCase()], (i) => i.ownerKeys(owner!), owner !== undefined);
}

/** `owner`'s current rotator (undefined `rotator`: none). */
export function useOwnerRotator(owner: Address | undefined) {
  return useIndexerQuery("rotator", [owner?.toLowerCase()], (i) => i.rotatorOf(owner!), owner !== undefined);
}

/** The lineage of `keyId`, every version with its audit trail (empty when the key is unknown). */
export function useKeyLineage(keyId: Hex | undefined) {
  return useIndexerQuery("lineage", [keyId], (i) => i.lineageOf(keyId!), keyId !== undefined);
}

/** Keys by id, any owner. */
export function useKeysById(keyIds: readonly Hex[]) {
  return useIndexerQuery("keys", [keyIds.join(",")], (i) => i.keysById(keyIds), keyIds.length > 0);
}

/** Policy, scope names, guardians and proposal texts. */
export function useRegistryFacts() {
  return useIndexerQuery("facts", [], (i) => i.facts());
}

/** Every proposal with its actions, tallies and transitions; asked again with each indexed block. */
export function useIndexedProposals() {
  return useIndexerQuery("proposals", [], (i) => i.proposals());
}

/**
 * The policy in force before `block` (an executed setPolicy's "before"). History does
 * not change, so it is read once, not with every indexed block.
 */
export function usePolicyBefore(block: bigint | undefined) {
  const { indexer } = useRuntime();
  return useQuery({
    queryKey: ["keyledger", "indexer", "policy-before", block?.toString()],
    // null, not undefined: "no policy before this block" is an answer react-query keeps.
    queryFn: async () => (await indexer!.policyBefore(block!)) ?? null,
    enabled: indexer !== null && block !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    retry: 1,
  });
}

/**
 * Which entries of these keys' histories an executed proposal caused (a DAO
 * revocation, a lifted suspension): proposal ids by `keyEventId`. Only the
 * timelock's acts are looked up, in one query for all of them.
 */
export function useProposalLinks(keys: readonly IndexedKey[] | undefined): ReadonlyMap<string, bigint> {
  const { runtime } = useRuntime();
  const timelock = runtime.addresses.KeyLedgerTimelock.toLowerCase();
  const registry = runtime.addresses.KeyRegistry;
  const acts = (keys ?? []).flatMap((key) =>
    key.events.filter((e) => (e.kind === "revoked" || e.kind === "unsuspended") && e.by?.toLowerCase() === timelock).map((event) => ({ keyId: key.keyId, event })),
  );
  const signature = acts.map((a) => keyEventId(a.keyId, a.event)).join(",");
  const found = useIndexerQuery(
    "proposal-links",
    [signature],
    async (indexer) => {
      const transactionHashes = [...new Set(acts.map((a) => a.event.transactionHash.toLowerCase() as Hex))];
      const blocks = [...new Set(acts.map((a) => a.event.blockNumber))];
      // The matcher decodes calldata with the registry's ABI: loaded only when there is a DAO act
      // to match, so the first page does not carry the ABI.
      const [proposals, { proposalForKeyEvent }] = await Promise.all([indexer.executedProposals({ transactionHashes, blocks }), import("../chain/proposalForKeyEvent.ts")]);
      const links = new Map<string, bigint>();
      // A lineage revocation may have been voted on an earlier version: walk back through
      // the versions these keys hold (a lineage's keys are read together).
      const byId = new Map((keys ?? []).map((k) => [k.keyId.toLowerCase(), k]));
      const earlierVersionsOf = (keyId: Hex) => {
        const out: Hex[] = [];
        let previous = byId.get(keyId.toLowerCase())?.previousKeyId;
        while (previous && out.length < 65_536 && !out.includes(previous)) {
          out.push(previous);
          previous = byId.get(previous.toLowerCase())?.previousKeyId;
        }
        const lineageId = byId.get(keyId.toLowerCase())?.lineageId;
        if (lineageId && !out.includes(lineageId) && lineageId.toLowerCase() !== keyId.toLowerCase()) out.push(lineageId);
        return out;
      };
      for (const { keyId, event } of acts) {
        const proposalId = proposalForKeyEvent({ keyId, event, proposals, registry, earlierVersions: earlierVersionsOf(keyId) });
        if (proposalId !== undefined) links.set(keyEventId(keyId, event), proposalId);
      }
      return links;
    },
    acts.length > 0,
  );
  return found.data ?? noLinks;
}

const noLinks: ReadonlyMap<string, bigint> = new Map();

/** The votes on `proposalId` (voter, support, weight, reason, block, transaction); asked again with each indexed block. */
export function useProposalVotes(proposalId: bigint | undefined) {
  return useIndexerQuery("votes", [proposalId?.toString()], (i) => i.proposalVotes(proposalId!), proposalId !== undefined);
}

// Key ids a page asked about without a hook of its own (a key id typed into a form):
// the snapshot reads them from the indexer too.
const watched = new Set<Hex>();
let watchedVersion = 0;
const listeners = new Set<() => void>();

/** Asks for `keyId` to be read with the next snapshot (see useChainSnapshot). */
export function watchKey(keyId: Hex): void {
  const id = keyId.toLowerCase() as Hex;
  if (watched.has(id) || watched.size >= 64) return;
  watched.add(id);
  watchedVersion++;
  queueMicrotask(() => listeners.forEach((l) => l()));
}

export function useWatchedKeys(): readonly Hex[] {
  useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => watchedVersion,
  );
  return [...watched];
}

/** A map of keys that, asked for a key it does not hold, has the snapshot read it (it shows with the next answer). */
export class KeyDirectory extends Map<Hex, IndexedKey> {
  override get(keyId: Hex): IndexedKey | undefined {
    const id = keyId.toLowerCase() as Hex;
    const key = super.get(id);
    if (!key && /^0x[0-9a-f]{64}$/.test(id)) watchKey(id);
    return key;
  }
}

/**
 * Resolves once the indexer has reached `blockNumber` (or after `timeoutMs`): call it
 * after a transaction so the lists asked for next already include it.
 */
export async function waitForIndexed(indexer: IndexerClient | null, blockNumber: bigint, timeoutMs = 5_000): Promise<boolean> {
  if (!indexer) return false;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const head = await indexer.status().catch(() => undefined);
    if (head && head.number >= blockNumber) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
