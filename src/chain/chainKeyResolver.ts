import { type Address, BlockNotFoundError, createPublicClient, type Hex, http, isAddress, type PublicClient } from "viem";
import { BaseError } from "../errors/BaseError.ts";
import type { KeyResolver, ResolveResult } from "../verifier/types.ts";
import { CheckpointError, readCheckpoint, writeCheckpoint } from "./checkpoint/index.ts";
import type { DeploymentManifest } from "./manifest.ts";
import { createRegistryIndex, type RegistryIndexChanges, registryEvents } from "./registryIndex.ts";

export type ChainKeyResolverParameters = (
  | { manifest: DeploymentManifest; registry?: undefined }
  | {
      manifest?: undefined;
      registry: Address;
      /** First block to index (the registry's deployment block). */
      deploymentBlock: number | bigint;
      /** Checked against the node; default: the node's chain id. */
      chainId?: number | undefined;
      /** When given, the resolver refuses a chain whose block `deploymentBlock` has another hash. */
      deploymentBlockHash?: Hex | undefined;
    }
) &
  ({ client: PublicClient; rpcUrl?: undefined } | { rpcUrl: string; client?: undefined }) & {
    /** Blocks to wait before indexing a block (0: index the head). Default 0. */
    confirmations?: number | undefined;
    /** How often to ask the node for new blocks. Default 250 ms. */
    pollingIntervalMs?: number | undefined;
    /** After this long without a successful sync, every key resolves as "stale". Default 30 s. */
    maxStalenessSeconds?: number | undefined;
    /** Largest block range of one `eth_getLogs` call. Default 2,000. */
    chunkSize?: number | undefined;
    /** Reorgs up to this many blocks deep are rolled back in place; deeper ones rebuild the index. Default 128. */
    reorgDepth?: number | undefined;
    /** Clock in ms since the epoch (staleness and update times). Default `Date.now`. */
    now?: (() => number) | undefined;
    /** Called after every sync that changed the index (see `onUpdate`). */
    onUpdate?: ((update: ChainKeyResolverUpdate) => void) | undefined;
    /** Resolved keys (KeyObject built) kept for the hot path; others are rebuilt from the index on use. Default 10,000. */
    cacheSize?: number | undefined;
    /**
     * File to persist the index to (docs/resolver.md): loaded on start when it matches
     * the chain, written atomically every `checkpointIntervalSeconds` and on close.
     */
    checkpointPath?: string | undefined;
    /** Least time between two checkpoint writes. Default 60 s. */
    checkpointIntervalSeconds?: number | undefined;
  };

export type ChainKeyResolverCheckpointStatus = {
  path: string;
  /** The checkpoint block the index started from, when a checkpoint was loaded. */
  loadedBlock: number | undefined;
  /** Why the checkpoint file was not used (the index was rebuilt from the deployment block). */
  rejected: string | undefined;
  /** Block and time (ms, `now` clock) of the last checkpoint written. */
  writtenBlock: number | undefined;
  writtenAt: number | undefined;
  /** Short message of the last failed write, cleared by the next successful one. */
  error: string | undefined;
};

export type ChainKeyResolverStatus = {
  /** Whether the first backfill has completed. */
  ready: boolean;
  /** The newest block the index reflects (undefined before the first block is indexed). */
  blockNumber: number | undefined;
  blockHash: Hex | undefined;
  /** When (ms, `now` clock) the last sync that reached the chain head started. */
  lastSyncAt: number | undefined;
  /** Seconds since `lastSyncAt` (Infinity before the first sync). */
  ageSeconds: number;
  /** Key ids in the index. */
  keys: number;
  /** Whether `resolve` currently answers "stale". */
  stale: boolean;
  /** Reorgs handled so far. */
  reorgs: number;
  /** Short message of the last failed sync, cleared by the next successful one. */
  error: string | undefined;
  /** Set when `checkpointPath` is. */
  checkpoint: ChainKeyResolverCheckpointStatus | undefined;
};

export type ChainKeyResolverUpdate = {
  blockNumber: number;
  blockHash: Hex;
  /** Key ids whose facts changed (added, updated, or removed by a reorg). */
  keyIds: readonly Hex[];
  /** Whether scope names changed (every key's scope list may differ). */
  scopes: boolean;
  /** Whether the policy changed (every key's `notAllowed` verdict may differ). */
  policy: boolean;
  /** Set when a reorg rolled the index back to this block before it moved forward. */
  rolledBackTo: number | undefined;
  /** When the change became visible to `resolve` (ms, `now` clock). */
  at: number;
};

export type ChainKeyResolver = KeyResolver & {
  /** Synchronous for keys in the index: the hot path makes no RPC call. */
  resolve(keyId: Hex): ResolveResult | Promise<ResolveResult>;
  /** Resolves once the index has been backfilled up to the chain head. Rejects on misconfiguration or close. */
  ready(): Promise<void>;
  /** Catches up with the chain now (shares a sync already due); rejects when the node cannot be read. */
  sync(): Promise<void>;
  status(): ChainKeyResolverStatus;
  /** Subscribes to index changes (e.g. to measure revocation propagation); returns the unsubscribe function. */
  onUpdate(listener: (update: ChainKeyResolverUpdate) => void): () => void;
  /** Writes a checkpoint of the index now (requires `checkpointPath`); resolves with its block. */
  checkpoint(): Promise<number>;
  /** Stops polling and writes a last checkpoint (with `checkpointPath`); later `resolve` calls answer "stale". */
  close(): Promise<void>;
};

const keyIdPattern = /^0x[0-9a-f]{64}$/;
const unknown: ResolveResult = Object.freeze({ status: "unknown" });
const maxNegativeEntries = 100_000;

/**
 * Resolves key ids against a KeyRegistry through an in-memory index rebuilt from
 * the registry's events.
 *
 * - Backfill: `eth_getLogs` from the deployment block, `chunkSize` blocks at a
 *   time; then short polling (`pollingIntervalMs`): one `eth_getBlockByNumber
 *   latest` per poll, plus `eth_getLogs` for the new range when there is one.
 *   Polling rather than `eth_subscribe`/filters works with every HTTP RPC and
 *   cannot silently lose a subscription.
 * - Reorgs: the hash of each indexed range's last block (and of every block with
 *   registry logs) is kept for `reorgDepth` blocks. A new head whose ancestry no
 *   longer contains our last block makes us walk back to the newest block whose
 *   hash still matches and undo every event after it (each applied event keeps
 *   an undo record), then index forward again. Logs are fetched after the hash of
 *   their range's end, so a reorg in between is caught by the next poll. A reorg
 *   deeper than `reorgDepth` rebuilds the index from the deployment block
 *   (answering "stale" meanwhile).
 * - Misses: a key id missing from the index waits for one sync that starts after
 *   it arrived (the authoritative read of a key registered a moment ago); all
 *   misses in flight share that sync, misses are at most 20 syncs/s, and an id
 *   still unknown is cached as unknown until the index moves to another block, so
 *   floods of random ids cannot become floods of RPC calls.
 * - Fail closed: before the first backfill, after `maxStalenessSeconds` without a
 *   successful sync, during a rebuild, after close, or when the node is not the
 *   manifest's chain, every key resolves as `{ status: "stale" }`: an RPC outage
 *   never looks like "valid" or "revoked". Polling continues, so it recovers by
 *   itself.
 * - Memory and checkpoints: the index keeps each key in a 168-byte record
 *   (about 235 B of heap per key in all, docs/resolver.md); with `checkpointPath`
 *   it is written to a file (atomically, every `checkpointIntervalSeconds` and on
 *   close) and the next start catches up from the file's block when that block's
 *   hash is still on the chain, else rebuilds from the deployment block.
 * - Proof of possession: checked off-chain once per key, on first use, with
 *   node:crypto (Ed25519 over the message, ECDSA over its SHA-256, see
 *   `verifyProofOfPossession`). Window, state and scopes are returned as facts;
 *   the current policy (from `PolicyUpdated`, checkpointed) yields `notAllowed`;
 *   the verifier judges them at request time.
 */
export function chainKeyResolver(parameters: ChainKeyResolverParameters): ChainKeyResolver {
  const {
    confirmations = 0,
    pollingIntervalMs = 250,
    maxStalenessSeconds = 30,
    chunkSize = 2_000,
    reorgDepth = 128,
    now = Date.now,
    cacheSize = 10_000,
    checkpointPath,
    checkpointIntervalSeconds = 60,
  } = parameters;
  const registry = parameters.manifest ? parameters.manifest.contracts.KeyRegistry.address : parameters.registry;
  const deploymentBlock = Number(parameters.manifest ? parameters.manifest.deploymentBlock : parameters.deploymentBlock);
  const deploymentBlockHash = parameters.manifest ? parameters.manifest.deploymentBlockHash : parameters.deploymentBlockHash;
  let chainId = parameters.manifest ? parameters.manifest.chainId : parameters.chainId;
  checkOptions({ registry, deploymentBlock, confirmations, pollingIntervalMs, maxStalenessSeconds, chunkSize, reorgDepth, cacheSize, checkpointPath, checkpointIntervalSeconds });
  const client =
    parameters.client ??
    // Retries are pointless when the next poll is 250 ms away; a hung node must not hold a poll for long.
    createPublicClient({ transport: http(parameters.rpcUrl, { retryCount: 0, timeout: Math.min(5_000, maxStalenessSeconds * 500) }) });
  const maxStalenessMs = maxStalenessSeconds * 1_000;
  const minSyncGapMs = Math.min(50, pollingIntervalMs);

  let index: ReturnType<typeof createRegistryIndex> | undefined;
  let tip: { number: number; hash: Hex } | undefined;
  /** Hashes we indexed, ascending by number, for finding the fork point of a reorg. */
  let anchors: { number: number; hash: Hex }[] = [];
  let verified = false;
  /** The deployment block as `verifyChain` last found it: the root every indexed range must descend from. */
  let base: { number: number; hash: Hex } | undefined;
  /** Set as soon as the node's chain is seen not to continue the indexed one; cleared by the next complete sync. */
  let diverged = false;
  /** Current `eth_getLogs` span: halved when the provider refuses a range, widened again on success. */
  let span = chunkSize;
  let synced = false;
  let rebuilding = false;
  let lastSyncAt: number | undefined;
  let lastError: string | undefined;
  let fatal: BaseError | undefined;
  let closed = false;
  let reorgs = 0;
  const checkpointStatus: ChainKeyResolverCheckpointStatus | undefined = checkpointPath
    ? { path: checkpointPath, loadedBlock: undefined, rejected: undefined, writtenBlock: undefined, writtenAt: undefined, error: undefined }
    : undefined;
  let checkpointTried = false;
  let writing: Promise<number> | undefined;
  let negative = new Set<string>();
  const pendingMisses = new Map<string, Promise<ResolveResult>>();
  const listeners = new Set<(update: ChainKeyResolverUpdate) => void>();
  if (parameters.onUpdate) listeners.add(parameters.onUpdate);

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;
  let waiters: ((error: unknown) => void)[] = [];

  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const readyPromise = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  readyPromise.catch(() => {});

  function staleReason(): string | undefined {
    if (closed) return "The chain key resolver is closed.";
    if (fatal) return `Chain state unusable: ${fatal.shortMessage}`;
    if (!synced) return "Chain state unknown: the key index is still loading.";
    if (rebuilding) return "Chain state unknown: the key index is being rebuilt after a deep reorg.";
    // At once, not after maxStalenessSeconds: a node that swapped chains answers quickly and
    // "successfully", so only continuity, never the age of the last sync, can tell.
    if (diverged) return "Chain state unknown: the node's chain does not continue the indexed one (reorg or another chain).";
    const age = now() - (lastSyncAt as number);
    if (age > maxStalenessMs) {
      return `Chain state is stale: the key index last synced ${Math.round(age / 1_000)} s ago (limit ${maxStalenessSeconds} s).`;
    }
    return undefined;
  }

  function resolve(keyId: Hex): ResolveResult | Promise<ResolveResult> {
    const reason = staleReason();
    if (reason) return { status: "stale", message: reason };
    const hit = index!.get(keyId);
    if (hit) return hit;
    const id = typeof keyId === "string" ? keyId.toLowerCase() : "";
    if (id !== keyId) {
      const again = index!.get(id);
      if (again) return again;
    }
    if (!keyIdPattern.test(id) || negative.has(id)) return unknown;
    let pending = pendingMisses.get(id);
    if (!pending) {
      pending = nextSync().then((error) => {
        pendingMisses.delete(id);
        const reason = staleReason();
        if (reason) return { status: "stale", message: reason } as const;
        const found = index!.get(id);
        if (found) return found;
        if (error !== undefined) return { status: "stale", message: "Chain state unknown: could not read the chain to look up this key." } as const;
        if (negative.size >= maxNegativeEntries) negative = new Set();
        negative.add(id);
        return unknown;
      });
      pendingMisses.set(id, pending);
    }
    return pending;
  }

  /** Resolves (with the error, if it failed) after a sync that started after this call. */
  function nextSync(): Promise<unknown> {
    return new Promise((resolve) => {
      waiters.push(resolve);
      if (!running) schedule(Math.max(0, minSyncGapMs - (performance.now() - lastStart)));
    });
  }

  function schedule(delayMs: number) {
    if (closed || fatal) return;
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    // Background polling alone does not keep the process alive; a pending backfill,
    // `sync()` or miss does, so a script awaiting one is not cut short.
    if (synced && !waiters.length) timer.unref();
  }

  async function run() {
    timer = undefined;
    if (running || closed) return;
    const mine = waiters;
    waiters = [];
    lastStart = performance.now();
    let failure: unknown;
    running = syncOnce().catch((error: unknown) => {
      failure = error ?? new Error("sync failed");
      lastError = shortMessageOf(error);
      if (error instanceof ChainMismatchError) {
        fatal = error;
        failReady(error);
      }
    });
    await running;
    running = undefined;
    if (failure === undefined && checkpointDue()) checkpoint().catch(() => {});
    for (const wake of mine) wake(failure);
    if (fatal) {
      for (const wake of waiters.splice(0)) wake(fatal);
      return;
    }
    if (waiters.length) schedule(Math.max(0, minSyncGapMs - (performance.now() - lastStart)));
    else schedule(pollingIntervalMs);
  }

  async function syncOnce(): Promise<void> {
    const startedAt = now();
    if (!verified) await verifyChain();
    const head = await client.getBlock({ blockTag: "latest" });
    const targetNumber = Number(head.number) - confirmations;
    // Nothing indexed yet and nothing to index: there is no key to vouch for.
    if (!tip && targetNumber < deploymentBlock) return finish(startedAt, emptyChanges(), undefined);
    if (!tip && checkpointStatus && !checkpointTried) await loadCheckpoint(checkpointStatus, targetNumber);
    const target = confirmations === 0 ? head : await blockAt(targetNumber);
    const changes = emptyChanges();
    let rolledBackTo: number | undefined;
    if (tip) {
      // Same number, same hash: the same chain (a block hash commits to all its ancestors).
      if (tip.number === targetNumber && tip.hash === target.hash) return finish(startedAt, changes, undefined);
      // Continuity: a sync only counts as fresh if the node's chain still contains our
      // last indexed block. A shorter chain, or a longer one without it, is a reorg or
      // another chain (e.g. a node reset with the registry redeployed at the same address).
      const continues =
        tip.number < targetNumber &&
        // parentHash is only the cheap proof: blocks made by `hardhat_mine` report a zero
        // parentHash, so a mismatch is settled by reading our block again.
        ((targetNumber === tip.number + 1 && target.parentHash === tip.hash) || (await blockAt(tip.number)).hash === tip.hash);
      if (!continues) {
        diverged = true;
        rolledBackTo = await rollBack(Math.min(tip.number, targetNumber), changes);
        if (!verified) await verifyChain();
      }
    }

    let from = (tip ? tip.number : deploymentBlock - 1) + 1;
    while (from <= targetNumber) {
      const to = Math.min(targetNumber, from + span - 1);
      // The range's last block is read BEFORE its logs and again AFTER them: logs
      // only count when both reads agree and the range connects to what is indexed,
      // so logs of another chain (a swap or reorg mid-sync) are never applied.
      const before = to === targetNumber ? target : await blockAt(to);
      let logs: Awaited<ReturnType<typeof getLogs>>;
      try {
        logs = await getLogs(from, to);
      } catch (error) {
        // Providers cap ranges (blocks or results): halve and retry; success widens again.
        if (!isRangeLimitError(error) || span === 1) throw error;
        span = Math.max(1, Math.floor((to - from + 1) / 2));
        continue;
      }
      if (closed) return;
      const prev = tip ?? base;
      await checkRange(prev, to, before.hash, logs);
      index ??= createRegistryIndex({ chainId: chainId as number, registry, cacheSize });
      merge(changes, index.apply(logs));
      for (const log of logs) anchor(Number(log.blockNumber), log.blockHash);
      anchor(to, before.hash);
      tip = { number: to, hash: before.hash };
      negative = new Set();
      from = to + 1;
      span = Math.min(chunkSize, span * 2);
      // Per range, so a long backfill keeps only `reorgDepth` blocks of undo records.
      forgetFinal();
    }
    forgetFinal();
    rebuilding = false;
    finish(startedAt, changes, rolledBackTo);
  }

  function forgetFinal() {
    const horizon = (tip?.number ?? 0) - reorgDepth;
    index?.prune(horizon);
    if (anchors.length && anchors[0]!.number < horizon) anchors = anchors.filter((a) => a.number >= horizon);
  }

  /**
   * Starts the index from the checkpoint file when it is intact, written for this
   * chain, registry and deployment block, and its block is still on the node's chain
   * with the same hash. Anything else is recorded in `status().checkpoint.rejected`
   * and the index is rebuilt from the deployment block: a bad file is never trusted.
   */
  async function loadCheckpoint(cp: ChainKeyResolverCheckpointStatus, targetNumber: number) {
    try {
      const loaded = await readCheckpoint({ path: cp.path, expected: { chainId: chainId as number, registry, deploymentBlock } });
      if (loaded) {
        const { header, state } = loaded;
        const unusable = (what: string) => new CheckpointError(`Checkpoint ${cp.path} is unusable: ${what}; rebuilding from the deployment block.`);
        if (!base || header.deploymentBlockHash.toLowerCase() !== base.hash) {
          throw unusable(`written for a chain whose block ${deploymentBlock} is ${header.deploymentBlockHash}, the node's is ${base?.hash ?? "missing"} (another chain)`);
        }
        if (header.blockNumber > targetNumber) throw unusable(`its block ${header.blockNumber} is ahead of the node's block ${targetNumber} (the chain was reset or reorged)`);
        const block = await blockAt(header.blockNumber).catch((error: unknown) => {
          if (error instanceof BlockNotFoundError) return undefined;
          throw error;
        });
        if (block?.hash !== header.blockHash) {
          throw unusable(`its block ${header.blockNumber} is ${header.blockHash}, the node's is ${block?.hash ?? "missing"} (reorged away or another chain)`);
        }
        try {
          index = createRegistryIndex({ chainId: chainId as number, registry, cacheSize, state });
        } catch (error) {
          index = undefined;
          throw unusable((error as Error).message);
        }
        tip = { number: header.blockNumber, hash: header.blockHash };
        anchors = [{ ...tip }];
        cp.loadedBlock = header.blockNumber;
        cp.writtenBlock = header.blockNumber;
        cp.writtenAt = now();
      }
    } catch (error) {
      // Anything else (the node did not answer) fails this sync; the next one tries the file again.
      if (!(error instanceof CheckpointError)) throw error;
      cp.rejected = error.shortMessage;
    }
    checkpointTried = true;
  }

  /** Whether the index is a complete, continuous view of the chain up to `tip`. */
  function consistent(): boolean {
    return synced && !fatal && !rebuilding && !diverged && tip !== undefined && index !== undefined && base !== undefined;
  }

  function checkpointDue(): boolean {
    const cp = checkpointStatus;
    if (!cp || writing || !consistent() || tip!.number === cp.writtenBlock) return false;
    return cp.writtenAt === undefined || now() - cp.writtenAt >= checkpointIntervalSeconds * 1_000;
  }

  function checkpoint(): Promise<number> {
    const cp = checkpointStatus;
    if (!cp) return Promise.reject(new BaseError("The chain key resolver has no checkpointPath."));
    if (writing) return writing;
    if (!consistent()) return Promise.reject(new BaseError("The chain key resolver has no consistent index to checkpoint yet (loading, rebuilding or diverged)."));
    const at = { ...tip! };
    // A synchronous copy: syncs may go on while the copy is written.
    const state = index!.exportState();
    const header = { chainId: chainId as number, registry, deploymentBlock, deploymentBlockHash: base!.hash, blockNumber: at.number, blockHash: at.hash };
    writing = writeCheckpoint({ path: cp.path, header, state, now })
      .then(
        () => {
          cp.writtenBlock = at.number;
          cp.writtenAt = now();
          cp.error = undefined;
          return at.number;
        },
        (error: unknown) => {
          cp.error = shortMessageOf(error);
          throw error;
        },
      )
      .finally(() => {
        writing = undefined;
      });
    return writing;
  }

  function getLogs(from: number, to: number) {
    return client.getLogs({ address: registry, events: registryEvents, fromBlock: BigInt(from), toBlock: BigInt(to), strict: true });
  }

  async function blockAt(number: number) {
    return client.getBlock({ blockNumber: BigInt(number) });
  }

  /**
   * Proves that logs fetched for `(prev.number, to]` belong to the indexed chain: block
   * `to` still has the hash read before the logs, and it descends from `prev` (our tip,
   * or the deployment block for the first range). Otherwise the node moved under us:
   * stale at once, and the next sync rolls back or fails closed.
   */
  async function checkRange(prev: { number: number; hash: Hex } | undefined, to: number, toHash: Hex, logs: readonly { blockNumber: bigint; blockHash: Hex }[]) {
    const after = await blockAt(to);
    let connected = after.hash === toHash && logs.every((log) => Number(log.blockNumber) !== to || log.blockHash === toHash);
    if (connected && prev) {
      if (to === prev.number) connected = after.hash === prev.hash;
      else connected = (to === prev.number + 1 && after.parentHash === prev.hash) || (await blockAt(prev.number)).hash === prev.hash;
      connected &&= logs.every((log) => Number(log.blockNumber) !== prev.number || log.blockHash === prev.hash);
    }
    if (connected) return;
    diverged = true;
    // The deployment block itself may be gone: check it again on the next sync.
    if (!tip) verified = false;
    throw new ChainDivergedError(`The node's chain changed while blocks up to ${to} were read.`, {
      details: `block ${to}: ${toHash} before the logs, ${after.hash} after`,
    });
  }

  function finish(startedAt: number, changes: RegistryIndexChanges, rolledBackTo: number | undefined) {
    index ??= createRegistryIndex({ chainId: chainId as number, registry, cacheSize });
    lastSyncAt = startedAt;
    lastError = undefined;
    diverged = false;
    if (!synced) {
      synced = true;
      markReady();
    }
    if (!tip || (!changes.keyIds.length && !changes.scopes && !changes.policy && rolledBackTo === undefined)) return;
    const update: ChainKeyResolverUpdate = {
      blockNumber: tip.number,
      blockHash: tip.hash,
      keyIds: [...new Set(changes.keyIds)],
      scopes: changes.scopes,
      policy: changes.policy,
      rolledBackTo,
      at: now(),
    };
    for (const listener of listeners) {
      try {
        listener(update);
      } catch {
        // A failing metrics hook must not stop the index from following the chain.
      }
    }
  }

  /** Rolls the index back to the newest block we indexed that is still canonical. */
  async function rollBack(maxNumber: number, changes: RegistryIndexChanges): Promise<number> {
    reorgs++;
    negative = new Set();
    for (let i = anchors.length - 1; i >= 0; i--) {
      const a = anchors[i]!;
      if (a.number > maxNumber) continue;
      const block = await client.getBlock({ blockNumber: BigInt(a.number) });
      if (block.hash === a.hash) {
        merge(changes, index!.rollback(a.number));
        anchors = anchors.slice(0, i + 1);
        tip = { ...a };
        return a.number;
      }
    }
    // Deeper than we can undo (or another chain behind the same URL): start over,
    // answering "stale" until the rebuilt index has caught up.
    rebuilding = true;
    merge(changes, { keyIds: [], scopes: true, policy: true });
    index?.clear();
    anchors = [];
    tip = undefined;
    verified = false;
    return deploymentBlock - 1;
  }

  async function verifyChain() {
    const actual = await client.getChainId();
    if (chainId === undefined) chainId = actual;
    else if (chainId !== actual) {
      throw new ChainMismatchError(`The registry is configured for chain ${chainId}, but the node serves chain ${actual}.`);
    }
    const block = await client.getBlock({ blockNumber: BigInt(deploymentBlock) }).catch(() => undefined);
    base = block?.hash ? { number: deploymentBlock, hash: block.hash } : undefined;
    if (deploymentBlockHash) {
      if (block?.hash !== deploymentBlockHash) {
        throw new ChainMismatchError(`The node's block ${deploymentBlock} is not the registry's deployment block.`, {
          metaMessages: ["The node was probably restarted or reset: redeploy and load the new manifest."],
        });
      }
    }
    verified = true;
  }

  function anchor(number: number, hash: Hex) {
    const last = anchors[anchors.length - 1];
    if (last && last.number === number) last.hash = hash;
    else if (!last || last.number < number) anchors.push({ number, hash });
  }

  function status(): ChainKeyResolverStatus {
    const ageSeconds = lastSyncAt === undefined ? Number.POSITIVE_INFINITY : (now() - lastSyncAt) / 1_000;
    return {
      ready: synced,
      blockNumber: tip?.number,
      blockHash: tip?.hash,
      lastSyncAt,
      ageSeconds,
      keys: index?.size ?? 0,
      stale: staleReason() !== undefined,
      reorgs,
      error: fatal?.shortMessage ?? lastError,
      checkpoint: checkpointStatus && { ...checkpointStatus },
    };
  }

  function sync(): Promise<void> {
    if (closed) return Promise.reject(new BaseError("The chain key resolver is closed."));
    if (fatal) return Promise.reject(fatal);
    return nextSync().then((error) => {
      if (error !== undefined) throw error;
    });
  }

  function onUpdate(listener: (update: ChainKeyResolverUpdate) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    failReady(new BaseError("The chain key resolver was closed before it was ready."));
    await running;
    await writing?.catch(() => {});
    // A last checkpoint, so the next start catches up from here; a failure stays in status().checkpoint.error.
    if (checkpointStatus && consistent() && tip!.number !== checkpointStatus.writtenBlock) await checkpoint().catch(() => {});
    const error = new BaseError("The chain key resolver is closed.");
    for (const wake of waiters.splice(0)) wake(error);
    listeners.clear();
  }

  schedule(0);
  return { resolve, ready: () => readyPromise, sync, status, onUpdate, checkpoint, close };
}

export class ChainMismatchError extends BaseError {
  override name = "ChainMismatchError";
}

/** The node's chain changed under a sync (reorg or another chain); the next sync rolls back or fails closed. */
export class ChainDivergedError extends BaseError {
  override name = "ChainDivergedError";
}

// What providers answer to a too-wide eth_getLogs (Alchemy, Infura, QuickNode, geth, erigon...).
const rangeLimitPattern = /range|too many|too large|limit|exceed|more than|max(imum)? (block|result)/i;

function isRangeLimitError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const { code, details, shortMessage } = e as { code?: number; details?: string; shortMessage?: string };
    if (code === -32005) return true;
    if (rangeLimitPattern.test(`${shortMessage ?? ""} ${details ?? ""} ${e.message}`)) return true;
  }
  return false;
}

function shortMessageOf(error: unknown): string {
  // viem and KeyLedger errors carry a short message without URLs or request bodies.
  if (error instanceof Error) return (error as { shortMessage?: string }).shortMessage ?? error.message;
  return String(error);
}

function emptyChanges(): RegistryIndexChanges {
  return { keyIds: [], scopes: false, policy: false };
}

function merge(into: RegistryIndexChanges, from: RegistryIndexChanges) {
  for (const id of from.keyIds) into.keyIds.push(id);
  into.scopes ||= from.scopes;
  into.policy ||= from.policy;
}

function checkOptions(o: {
  registry: Address;
  deploymentBlock: number;
  confirmations: number;
  pollingIntervalMs: number;
  maxStalenessSeconds: number;
  chunkSize: number;
  reorgDepth: number;
  cacheSize: number;
  checkpointPath: string | undefined;
  checkpointIntervalSeconds: number;
}) {
  const problems: string[] = [];
  if (!isAddress(o.registry, { strict: false })) problems.push("registry must be an address");
  if (!Number.isSafeInteger(o.deploymentBlock) || o.deploymentBlock < 0) problems.push("deploymentBlock must be a block number");
  if (!Number.isSafeInteger(o.confirmations) || o.confirmations < 0) problems.push("confirmations must be a whole number >= 0");
  if (!(o.pollingIntervalMs > 0)) problems.push("pollingIntervalMs must be > 0");
  if (!(o.maxStalenessSeconds > 0)) problems.push("maxStalenessSeconds must be > 0");
  if (!Number.isSafeInteger(o.chunkSize) || o.chunkSize < 1) problems.push("chunkSize must be a whole number >= 1");
  if (!Number.isSafeInteger(o.reorgDepth) || o.reorgDepth < 1) problems.push("reorgDepth must be a whole number >= 1");
  if (!Number.isSafeInteger(o.cacheSize) || o.cacheSize < 1) problems.push("cacheSize must be a whole number >= 1");
  if (o.checkpointPath !== undefined && (typeof o.checkpointPath !== "string" || o.checkpointPath === "")) problems.push("checkpointPath must be a file path");
  if (!(o.checkpointIntervalSeconds > 0)) problems.push("checkpointIntervalSeconds must be > 0");
  if (problems.length) {
    throw new BaseError("Invalid chainKeyResolver options.", { metaMessages: problems.map((p) => `- ${p}`) });
  }
}
