import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import type { NonceMemoryFigures } from "./nonceMemoryChild.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type NonceMemorySizes = { entries: readonly number[]; timeoutSeconds: number };

export const nonceMemorySizes: { full: NonceMemorySizes; quick: NonceMemorySizes } = {
  full: { entries: [100_000, 1_000_000], timeoutSeconds: 120 },
  quick: { entries: [100_000, 1_000_000], timeoutSeconds: 60 },
};

export type NonceMemoryParameters = BenchContext & { sizes?: NonceMemorySizes | undefined };
export type NonceMemoryReturnType = BenchReport & { rows: NonceMemoryFigures[] };

const child = fileURLToPath(new URL("./nonceMemoryChild.ts", import.meta.url));
const target = 100;

/**
 * Benchmark 5: memory per live entry of the memory nonce store and its insert
 * rate, each size in its own `node --expose-gc` process so the heap holds the
 * store alone.
 */
export async function nonceMemoryBench(parameters: NonceMemoryParameters): Promise<NonceMemoryReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? nonceMemorySizes.quick : nonceMemorySizes.full);
  const rows: NonceMemoryFigures[] = [];
  for (const entries of sizes.entries) {
    log(`nonces: ${entries.toLocaleString("en-US")} live entries`);
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", child, String(entries)], {
      timeout: sizes.timeoutSeconds * 1000,
      maxBuffer: 1 << 20,
    });
    rows.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as NonceMemoryFigures);
  }
  const table = markdownTable({
    header: ["live entries", "bytes / entry (heap + external, after GC)", "typed arrays / entry", "inserts/s, filling", "inserts/s, steady (with expiry)", "target ≤ 100 B", "not stored"],
    align: ["r", "r", "r", "r", "r", "l", "r"],
    rows: rows.map((r) => [
      format.int(r.entries),
      format.bytes(r.bytesPerEntry),
      format.bytes(r.allocatedBytesPerEntry),
      format.int(r.fillInsertsPerSecond),
      format.int(r.steadyInsertsPerSecond),
      format.check(r.bytesPerEntry <= target),
      String(r.notStored),
    ]),
  });
  const notes = [
    "`memoryNonceStore({ maxEntries: N })` in a fresh `node --expose-gc` process; nonces of 22 characters (as 128 random bits in base64url) under one key id, each nonce new.",
    "Filled over 66 seconds of a fake clock (a nonce lives maxAge 60 s + skew 5 s), so the store then holds N live entries; bytes / entry = (heapUsed + external) delta after two full GCs ÷ live entries. Steady: 66 more fake seconds, each expiring the batch inserted 66 s before, so the store stays at N live entries.",
    "The heap + external figure also carries the store's fixed cost (its code and closures, a few hundred KB), which is why it sits a little above the typed arrays alone at 100k entries.",
    "Inserts/s time `checkAndStore` alone (nonce strings are made beforehand).",
  ];
  const summary: SummaryRow[] = rows.map((r) => ({
    metric: `nonce store memory at ${format.int(r.entries)} live entries`,
    value: `${format.bytes(r.bytesPerEntry)} / entry, ${format.int(r.steadyInsertsPerSecond)} inserts/s steady`,
    target: "≤ 100 B / entry",
    ok: r.bytesPerEntry <= target && r.notStored === 0,
  }));
  return { name: "nonces", title: "5. Memory nonce store: bytes per entry and inserts/s", markdown: [table, "", ...notes.map((n) => `- ${n}`)].join("\n"), summary, rows };
}
