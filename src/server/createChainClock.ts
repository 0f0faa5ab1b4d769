import { createPublicClient, http } from "viem";

export type CreateChainClockParameters = {
  rpcUrl: string;
  /** How often the latest block is read. Default 1000 ms. */
  pollingIntervalMs?: number | undefined;
  /** Wall clock, ms. Default `Date.now`. */
  wallClock?: (() => number) | undefined;
};

export type ChainClock = {
  /** The chain's time in ms: the latest block's timestamp plus the wall time since that block was first seen. */
  now(): number;
  /** Resolves once the first block was read. */
  ready(): Promise<void>;
  close(): void;
};

/**
 * A clock that follows the chain instead of the machine: the latest block's
 * timestamp, advanced by the wall time elapsed since that block was first seen
 * (as a node stamps its next block). After `evm_increaseTime` + a mined block on a
 * dev chain, it is ahead of the wall clock by the same amount, so key windows are
 * judged as the registry judges them.
 */
export function createChainClock({ rpcUrl, pollingIntervalMs = 1000, wallClock = Date.now }: CreateChainClockParameters): ChainClock {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  let latest: { number: bigint; timestampMs: number; seenAt: number } | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      const block = await client.getBlock({ blockTag: "latest" });
      if (!latest || block.number !== latest.number) latest = { number: block.number, timestampMs: Number(block.timestamp) * 1000, seenAt: wallClock() };
    } catch {
      // Keep the last reading; the chain index reports an unreachable node as stale.
    }
  };
  const first = poll();
  const loop = () => {
    if (closed) return;
    timer = setTimeout(() => void poll().finally(loop), pollingIntervalMs);
    timer.unref();
  };
  void first.finally(loop);
  return {
    now: () => (latest ? latest.timestampMs + (wallClock() - latest.seenAt) : wallClock()),
    ready: () => first,
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}
