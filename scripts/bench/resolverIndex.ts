import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chainKeyResolver } from "../../src/chain/index.ts";
import { devAccounts, startLocalNode } from "../../test/helpers/localNode.ts";
import { seedKeys } from "../seed/seedKeys.ts";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import type { ResolverMemoryFigures } from "./resolverMemoryChild.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type ResolverIndexSizes = {
  /** Keys seeded on a real hardhat node for the start-time rows. */
  chainKeys: readonly number[];
  /** Keys of the in-process (synthetic events) memory rows. */
  memoryKeys: readonly number[];
  timeoutSeconds: number;
};

export const resolverIndexSizes: { full: ResolverIndexSizes; quick: ResolverIndexSizes } = {
  full: { chainKeys: [10_000, 100_000], memoryKeys: [10_000, 100_000, 1_000_000], timeoutSeconds: 300 },
  quick: { chainKeys: [2_000], memoryKeys: [10_000, 100_000], timeoutSeconds: 120 },
};

export type ResolverIndexParameters = BenchContext & { sizes?: ResolverIndexSizes | undefined };

export type ResolverStartFigures = {
  keys: number;
  blocks: number;
  seedSeconds: number;
  /** ms from creating the resolver to `ready()`, indexing from the deployment block. */
  coldStartMs: number;
  /** ms to write the checkpoint on close. */
  checkpointWriteMs: number;
  checkpointBytes: number;
  /** ms from creating the resolver to `ready()`, starting from the checkpoint (then catching up `catchUpBlocks`). */
  checkpointStartMs: number;
  catchUpBlocks: number;
};

export type ResolverIndexReturnType = BenchReport & { memory: ResolverMemoryFigures[]; starts: ResolverStartFigures[] };

const child = fileURLToPath(new URL("./resolverMemoryChild.ts", import.meta.url));
const targetBytes = 300;

/**
 * Benchmark 8: the verifier's chain index at scale. Memory per key in a fresh
 * `node --expose-gc` process per size (synthetic KeyRegistered events applied
 * in-process), and start time on a real `hardhat node` seeded with N keys: a cold
 * start (every log from the deployment block) against a start from the
 * checkpoint the cold resolver wrote on close, after more blocks were mined.
 */
export async function resolverIndexBench(parameters: ResolverIndexParameters): Promise<ResolverIndexReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? resolverIndexSizes.quick : resolverIndexSizes.full);
  const memory: ResolverMemoryFigures[] = [];
  for (const keys of sizes.memoryKeys) {
    log(`resolver: heap per key at ${format.int(keys)} keys`);
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", child, String(keys)], { timeout: sizes.timeoutSeconds * 1000, maxBuffer: 1 << 20 });
    memory.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as ResolverMemoryFigures);
  }
  const starts: ResolverStartFigures[] = [];
  for (const keys of sizes.chainKeys) starts.push(await startFigures(keys, log));

  const memoryTable = markdownTable({
    header: ["keys", "heap + external / key (after GC)", "index typed arrays / key", "events applied/s", "cached get/s", "uncached get/s (builds KeyObject)", "cache RSS / cached key", "target ≤ 300 B"],
    align: ["r", "r", "r", "r", "r", "r", "r", "l"],
    rows: memory.map((m) => [
      format.int(m.keys),
      format.bytes(m.bytesPerKey),
      format.bytes(m.allocatedBytesPerKey),
      format.int(m.eventsPerSecond),
      format.int(m.cachedLookupsPerSecond),
      format.int(m.uncachedLookupsPerSecond),
      format.bytes(m.bytesPerCachedKey),
      m.keys >= 100_000 ? format.check(m.bytesPerKey <= targetBytes) : "(fixed costs dominate)",
    ]),
  });
  const startTable = markdownTable({
    header: ["keys", "blocks", "cold start (backfill)", "checkpoint start", "speed-up", "checkpoint write", "checkpoint size", "seed time"],
    align: ["r", "r", "r", "r", "r", "r", "r", "r"],
    rows: starts.map((s) => [
      format.int(s.keys),
      format.int(s.blocks),
      format.ms(s.coldStartMs),
      `${format.ms(s.checkpointStartMs)} (+${format.int(s.catchUpBlocks)} blocks)`,
      format.times(s.coldStartMs / s.checkpointStartMs),
      format.ms(s.checkpointWriteMs),
      `${(s.checkpointBytes / 1e6).toFixed(1)} MB`,
      `${s.seedSeconds.toFixed(1)} s`,
    ]),
  });
  const notes = [
    "Memory: `createRegistryIndex` in a fresh `node --expose-gc` process; N KeyRegistered events (Ed25519, 20 owners, labels `client-<i>`) applied in batches of 2,000 with the undo journal pruned; (heapUsed + external) delta after two full GCs ÷ N. The 10k row carries the fixed cost of the code and one page of records. Cached get: 1,000 hot keys; uncached: keys outside the cache (each builds its KeyObject and checks its proof of possession once). Cache RSS / cached key: the resident memory (KeyObjects are native memory V8 does not count) of 4,000 resolved keys held in the cache (the default cacheSize is 10,000).",
    "Start: a real `hardhat node` seeded by `seedKeys` (100 keys per block, 10 empty blocks between); cold = `chainKeyResolver({ manifest, rpcUrl, checkpointPath })` to `ready()` from the deployment block (eth_getLogs in 2,000-block ranges); the resolver then closes, writing its checkpoint; 500 more blocks (with 10 more keys) are mined; checkpoint start = a new resolver to `ready()`, having checked the checkpoint block's hash and caught up.",
  ];
  const summary: SummaryRow[] = [
    ...memory
      .filter((m) => m.keys >= 100_000)
      .map((m) => ({ metric: `resolver heap per key at ${format.int(m.keys)} keys`, value: format.bytes(m.bytesPerKey), target: "≤ 300 B", ok: m.bytesPerKey <= targetBytes })),
    ...starts.map((s) => ({
      metric: `resolver start at ${format.int(s.keys)} keys: cold vs checkpoint`,
      value: `${format.ms(s.coldStartMs)} vs ${format.ms(s.checkpointStartMs)} (${format.times(s.coldStartMs / s.checkpointStartMs)})`,
    })),
  ];
  return {
    name: "resolver",
    title: "9. Verifier chain index: heap per key, cold start vs checkpoint",
    markdown: [memoryTable, "", startTable, "", ...notes.map((n) => `- ${n}`)].join("\n"),
    summary,
    memory,
    starts,
  };
}

async function startFigures(keys: number, log: (line: string) => void): Promise<ResolverStartFigures> {
  log(`resolver: seeding ${format.int(keys)} keys on a hardhat node`);
  const node = await startLocalNode();
  const dir = mkdtempSync(join(tmpdir(), "keyledger-resolver-bench-"));
  const checkpointPath = join(dir, "index.ckpt");
  try {
    const seeded = await seedKeys({ rpcUrl: node.rpcUrl, manifest: node.manifest, keys, owners: devAccounts, perBlock: 100, gap: 10, log });
    log("resolver: cold start");
    let t = performance.now();
    const cold = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, checkpointPath, checkpointIntervalSeconds: 3_600 });
    await cold.ready();
    const coldStartMs = performance.now() - t;
    if (cold.status().keys < keys) throw new Error(`resolver bench: cold index holds ${cold.status().keys} keys, expected ${keys}`);
    t = performance.now();
    await cold.close();
    const checkpointWriteMs = performance.now() - t;
    if (cold.status().checkpoint?.writtenBlock === undefined) throw new Error(`resolver bench: no checkpoint written (${cold.status().checkpoint?.error})`);
    const checkpointBytes = statSync(checkpointPath).size;
    const more = await seedKeys({ rpcUrl: node.rpcUrl, manifest: node.manifest, keys: 10, owners: devAccounts, perBlock: 10, gap: 499 });
    log("resolver: start from the checkpoint");
    t = performance.now();
    const warm = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, checkpointPath });
    await warm.ready();
    const checkpointStartMs = performance.now() - t;
    const status = warm.status();
    for (const id of [seeded.keyIds[0]!, more.keyIds[9]!]) {
      const result = await warm.resolve(id);
      if (result.status !== "found" || result.key.proofOfPossession !== "valid") throw new Error(`resolver bench: ${id} not found after the checkpoint start`);
    }
    await warm.close();
    if (status.checkpoint?.loadedBlock === undefined) throw new Error(`resolver bench: checkpoint not loaded (${status.checkpoint?.rejected})`);
    if (status.keys !== keys + 10) throw new Error(`resolver bench: checkpoint start holds ${status.keys} keys, expected ${keys + 10}`);
    return {
      keys,
      blocks: seeded.lastBlock - node.manifest.deploymentBlock,
      seedSeconds: seeded.seconds,
      coldStartMs,
      checkpointWriteMs,
      checkpointBytes,
      checkpointStartMs,
      catchUpBlocks: (status.blockNumber as number) - (status.checkpoint.loadedBlock as number),
    };
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
