// The dApp's one way to read the registry: the Ponder indexer over SQL over HTTP
// (@ponder/client), polled; the chain head comes from the wallet's RPC.
export { createIndexerClient, IndexerUnavailableError, toExecutedProposals, toIndexedKeys, toIndexedProposals, toIndexedVotes, type CreateIndexerClientParameters, type IndexerClient, type RegistryFacts } from "./createIndexerClient.ts";
export { indexerHealth, staleAfterBlocks, type IndexerHealth, type IndexerHealthParameters } from "./indexerHealth.ts";
export {
  headPollMs,
  KeyDirectory,
  useChainHead,
  useIndexedHead,
  useIndexedProposals,
  useIndexerHealth,
  useKeyLineage,
  useKeysById,
  useOwnerKeys,
  useOwnerRotator,
  usePolicyBefore,
  useProposalLinks,
  useProposalVotes,
  useRegistryFacts,
  useWatchedKeys,
  waitForIndexed,
  watchKey,
} from "./hooks.ts";
export { groupLineages, type Lineage } from "./groupLineages.ts";
export type { BlockRef, ExecutedProposal, IndexedKey, IndexedProposal, IndexedVote, KeyEvent, KeyEventKind, KeyState, OwnerRotator, ProposalCreated, RegistryIndex, RegistryPolicy } from "./types.ts";
