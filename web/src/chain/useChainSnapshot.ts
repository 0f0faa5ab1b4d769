import { useQuery } from "@tanstack/react-query";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import type { ChainSnapshot } from "./createChainIndexer.ts";

export const chainSnapshotKey = ["keyledger", "chain"] as const;

/**
 * The latest block and the registry state folded from logs, refreshed every
 * polling interval. `error` is set when the chain cannot be read; the last good
 * snapshot stays in `data` so pages can say how old it is.
 */
export function useChainSnapshot() {
  const { indexer, pollingInterval } = useRuntime();
  return useQuery<ChainSnapshot>({
    queryKey: chainSnapshotKey,
    queryFn: () => indexer.sync(),
    refetchInterval: pollingInterval,
    refetchIntervalInBackground: false,
    structuralSharing: false,
    retry: 1,
  });
}
