// Child process of the nonce memory benchmark (run with `node --expose-gc`): fills
// a memoryNonceStore to N live entries, measures the heap + external delta after
// GC, then keeps it at N live entries under expiry churn and times the inserts.
// Prints one JSON line (NonceMemoryFigures) on stdout.
import { memoryNonceStore } from "../../src/nonces/memoryNonceStore.ts";

export type NonceMemoryFigures = {
  entries: number;
  /** (heapUsed + external) after filling, minus before, after full GCs, per live entry. */
  bytesPerEntry: number;
  /** The store's own typed arrays per live entry (its `allocatedBytes`). */
  allocatedBytesPerEntry: number;
  /** Inserts/s while filling from empty (includes the table doubling). */
  fillInsertsPerSecond: number;
  /** Inserts/s at N live entries, each second of fake clock expiring the batch of 66 s ago. */
  steadyInsertsPerSecond: number;
  /** Answers other than "stored" (must be 0: every nonce is new and the store never fills). */
  notStored: number;
};

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const target = Number(process.argv[2]);
if (!Number.isSafeInteger(target) || target < 66) throw new Error("usage: nonceMemoryChild.ts <entries >= 66>");

// maxAge 60 s + skew 5 s: a nonce lives 65 s, i.e. over 66 whole seconds of the clock.
const lifetimeMs = 65_000;
const seconds = 66;
const perSecond = Math.floor(target / seconds);
const chunk = 4_096;
const keyId = `0x${"ab".repeat(32)}`;
const t0 = 1_800_000_000_000;
let clock = t0;
let notStored = 0;
let serial = 0;

function memory(): number {
  gc!();
  gc!();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Inserts one second's batch at fake second `second`; returns the seconds spent in checkAndStore. */
function insertSecond(store: ReturnType<typeof memoryNonceStore>, second: number): number {
  clock = t0 + second * 1_000;
  let spent = 0;
  for (let done = 0; done < perSecond; done += chunk) {
    // Nonces are built before the clock starts: 22 characters, like 128 random bits in base64url.
    const nonces = Array.from({ length: Math.min(chunk, perSecond - done) }, () => (serial++).toString(36).padStart(22, "_"));
    const started = performance.now();
    for (const nonce of nonces) if (store.checkAndStore(keyId, nonce, clock + lifetimeMs) !== "stored") notStored++;
    spent += performance.now() - started;
  }
  return spent / 1_000;
}

const before = memory();
const store = memoryNonceStore({ maxEntries: target, now: () => clock });
let fillSeconds = 0;
for (let s = 0; s < seconds; s++) fillSeconds += insertSecond(store, s);
const live = store.size;
const after = memory();
const bytesPerEntry = (after - before) / live;
const allocatedBytesPerEntry = store.allocatedBytes / live;

let steadySeconds = 0;
for (let s = seconds; s < 2 * seconds; s++) steadySeconds += insertSecond(store, s);

const figures: NonceMemoryFigures = {
  entries: live,
  bytesPerEntry,
  allocatedBytesPerEntry,
  fillInsertsPerSecond: live / fillSeconds,
  steadyInsertsPerSecond: (perSecond * seconds) / steadySeconds,
  notStored,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
