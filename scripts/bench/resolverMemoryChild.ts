// Child process of the resolver memory benchmark (run with `node --expose-gc`): fills
// the verifier's registry index with N synthetic KeyRegistered events, in-process,
// and measures the heap + external delta after GC. Prints one JSON line
// (ResolverMemoryFigures) on stdout.
import { createHash, randomBytes } from "node:crypto";
import { type Address, bytesToHex, type Hex } from "viem";
import { createRegistryIndex, type RegistryLog } from "../../src/chain/registryIndex.ts";
import { devAccounts } from "../../test/helpers/localNode.ts";

export type ResolverMemoryFigures = {
  keys: number;
  /** (heapUsed + external) after indexing, minus before, after full GCs, per key. */
  bytesPerKey: number;
  /** The index's own typed arrays per key (records + hash table). */
  allocatedBytesPerKey: number;
  /** Events applied per second while filling. */
  eventsPerSecond: number;
  /** `get` of a key whose resolved form is cached (the hot path), per second. */
  cachedLookupsPerSecond: number;
  /** `get` of a key outside the cache (builds its KeyObject), per second. */
  uncachedLookupsPerSecond: number;
  /** Extra resident memory (RSS) per resolved key held in the cache (KeyObject, ResolvedKey). */
  bytesPerCachedKey: number;
};

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const target = Number(process.argv[2]);
if (!Number.isSafeInteger(target) || target < 1) throw new Error("usage: resolverMemoryChild.ts <keys>");

function memory(): number {
  gc!();
  gc!();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const batch = 2_000;
// A real Ed25519 point (the base point), so the uncached path builds a real KeyObject.
const publicKey = "0x5866666666666666666666666666666666666666666666666666666666666666" as Hex;
const proof = bytesToHex(randomBytes(64));

/** Reproducible key ids, so the lookups after the measurement need not keep any. */
function keyIdOf(i: number): Hex {
  return bytesToHex(createHash("sha256").update(`key ${i}`).digest());
}

function logs(from: number, n: number): RegistryLog[] {
  const out: RegistryLog[] = [];
  for (let i = from; i < from + n; i++) {
    out.push({
      eventName: "KeyRegistered",
      blockNumber: BigInt(1 + Math.floor(i / 20)),
      logIndex: i % 20,
      removed: false,
      args: {
        keyId: keyIdOf(i),
        owner: devAccounts[i % devAccounts.length]!,
        algorithm: 1,
        scopes: 1,
        notBefore: 1_700_000_000,
        expiresAt: 1_900_000_000,
        label: `client-${i}`,
        publicKey,
        proof,
      },
    } as unknown as RegistryLog);
  }
  return out;
}

const index = createRegistryIndex({ chainId: 31337, registry });
const before = memory();
let applyMs = 0;
for (let i = 0; i < target; i += batch) {
  const chunk = logs(i, Math.min(batch, target - i));
  const t = performance.now();
  index.apply(chunk);
  index.prune(Number.MAX_SAFE_INTEGER);
  applyMs += performance.now() - t;
}
const bytesPerKey = (memory() - before) / target;

const sample = Array.from({ length: Math.min(target, 20_000) }, (_, i) => keyIdOf(i));

// The cache's cost: resolve (and so cache) up to 4,000 keys, below the default cacheSize / 2 so none is evicted.
const cachedCount = Math.min(4_000, sample.length);
// KeyObjects live in native memory V8 does not count, so this one is resident set size.
memory();
const beforeCache = process.memoryUsage().rss;
for (let i = 0; i < cachedCount; i++) index.get(sample[sample.length - 1 - i]!);
memory();
const bytesPerCachedKey = (process.memoryUsage().rss - beforeCache) / cachedCount;
const hotIds = sample.slice(0, 1_000);
for (const id of hotIds) index.get(id);
let t = performance.now();
let n = 0;
while (performance.now() - t < 300) {
  for (const id of hotIds) if (index.get(id)) n++;
}
const cachedLookupsPerSecond = n / ((performance.now() - t) / 1000);
const coldIds = sample.slice(1_000, sample.length - cachedCount);
t = performance.now();
let m = 0;
for (const id of coldIds) {
  if (index.get(id)) m++;
  if (performance.now() - t > 500) break;
}
const uncachedLookupsPerSecond = m / ((performance.now() - t) / 1000);

const figures: ResolverMemoryFigures = {
  keys: target,
  bytesPerKey,
  allocatedBytesPerKey: index.allocatedBytes / target,
  eventsPerSecond: target / (applyMs / 1000),
  cachedLookupsPerSecond,
  uncachedLookupsPerSecond,
  bytesPerCachedKey,
};
console.log(JSON.stringify(figures));
