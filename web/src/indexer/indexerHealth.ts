import type { BlockRef } from "./types.ts";

/** More than this many blocks behind the chain head and the indexer's answers are called stale. */
export const staleAfterBlocks = 3n;

export type IndexerHealthParameters = {
  /** The chain head the wallet's RPC reports (undefined while unknown or unreachable). */
  chainHead: BlockRef | undefined;
  /** The indexer's head (`/status`), the last one read. */
  indexed: BlockRef | undefined;
  /** The last read of `/status` failed (the indexer is down or unreachable). */
  indexerError: Error | null;
  /** No indexer is configured for this page. */
  configured: boolean;
  maxLag?: bigint | undefined;
};

export type IndexerHealth = {
  status: "unconfigured" | "starting" | "down" | "behind" | "ok";
  indexedBlock: bigint | undefined;
  chainBlock: bigint | undefined;
  /** Blocks the indexer is behind the chain head (0 when level or ahead of a lagging RPC). */
  lag: bigint | undefined;
  /** What the indexer says may not be the chain's current state: grey it out and say so. */
  stale: boolean;
  /** One sentence for the banner / footer, or undefined when all is well. */
  message: string | undefined;
};

/** Whether the indexer's answers are current, and what to tell the reader when they are not. */
export function indexerHealth({ chainHead, indexed, indexerError, configured, maxLag = staleAfterBlocks }: IndexerHealthParameters): IndexerHealth {
  const chainBlock = chainHead?.number;
  const indexedBlock = indexed?.number;
  const lag = chainBlock !== undefined && indexedBlock !== undefined ? (chainBlock > indexedBlock ? chainBlock - indexedBlock : 0n) : undefined;
  const asOf = indexedBlock !== undefined ? ` What is shown is as of block ${indexedBlock} and may be out of date.` : "";
  if (!configured) {
    return { status: "unconfigured", indexedBlock, chainBlock, lag, stale: true, message: "No indexer is configured for this page (config.json has no indexerUrl): keys cannot be listed." };
  }
  if (indexerError) {
    return { status: "down", indexedBlock, chainBlock, lag, stale: true, message: `The indexer is not answering (${indexerError.message}).${asOf}` };
  }
  if (indexedBlock === undefined) return { status: "starting", indexedBlock, chainBlock, lag, stale: true, message: undefined };
  if (lag !== undefined && lag > maxLag) {
    return { status: "behind", indexedBlock, chainBlock, lag, stale: true, message: `The indexer is ${lag} blocks behind the chain (indexed to block ${indexedBlock}, chain at ${chainBlock}).${asOf}` };
  }
  return { status: "ok", indexedBlock, chainBlock, lag, stale: false, message: undefined };
}
