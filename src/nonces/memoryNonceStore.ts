import { hash, randomBytes, randomFillSync } from "node:crypto";
import { BaseError } from "../errors/BaseError.ts";
import { sipHash24 } from "./sipHash.ts";
import type { NonceResult, NonceStore } from "./types.ts";

export type MemoryNonceStoreParameters = {
  /** Most live nonces held; when all are live the store answers "full" (fail closed). Default 1,000,000. */
  maxEntries?: number | undefined;
  /** Clock in ms since the epoch; pass the verifier's so expiry matches its windows. Default `Date.now`. */
  now?: (() => number) | undefined;
};

export type MemoryNonceStore = NonceStore & {
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): NonceResult;
  /** Nonces held (live, plus expired ones not yet reached by the expiry queue). */
  readonly size: number;
  /** Bytes of the typed arrays backing the store. */
  readonly allocatedBytes: number;
  close(): Promise<void>;
};

const maxAllowedEntries = 1 << 26;
const initialSlots = 1 << 11;

/**
 * A bounded, single-process nonce store: O(1) insert-if-absent, expiry in O(1)
 * amortized, no per-entry objects.
 *
 * Each (keyId, nonce) is kept as a 64-bit fingerprint: SipHash-2-4 under a
 * random per-store 128-bit key of the key id and the nonce (SHA-256 over a
 * random salt, the key id and the nonce for the rare pair that is not latin1).
 * Fingerprints live in an open-addressing table (linear probing, load <= 1/2, backward-shift deletion),
 * and an insertion-ordered ring buffer holds (fingerprint, expiry second) so
 * expired entries are dropped from its head; nothing ever iterates a Map. The
 * per-store secret key (and salt) means nobody can grind nonces that collide, and a collision
 * (~n²/2⁶⁵) would only yield a false "replayed", never an acceptance. About
 * 29 bytes per entry at 1,000,000 entries, allocated as the store fills.
 *
 * The queue is in arrival order, not expiry order, so an entry can outlive its
 * expiry by at most the spread of expiries (maxAge + 2·skew): remembering longer is
 * safe, and counts against maxEntries.
 *
 * Limitation: memory only. A restarted process forgets every nonce, so a request
 * captured before the restart can be replayed until its window closes
 * (maxAgeSeconds + clockSkewSeconds). Use the Redis store when that matters or
 * when several processes verify for the same keys.
 */
export function memoryNonceStore({ maxEntries = 1_000_000, now = Date.now }: MemoryNonceStoreParameters = {}): MemoryNonceStore {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1 || maxEntries > maxAllowedEntries) {
    throw new InvalidNonceStoreOptionError(`maxEntries must be an integer in 1..${maxAllowedEntries}`, String(maxEntries));
  }
  if (typeof now !== "function") throw new InvalidNonceStoreOptionError("now must be a function returning ms since the epoch");
  const salt = randomBytes(16).toString("hex");
  const sipKey = new Uint32Array(4);
  randomFillSync(sipKey);
  const fingerprint = new Uint32Array(2);
  const maxSlots = 2 ** Math.ceil(Math.log2(maxEntries * 2));

  let slots = Math.min(initialSlots, maxSlots);
  let mask = slots - 1;
  // [hi, lo] per slot; (0, 0) marks an empty slot.
  let table = new Uint32Array(slots * 2);
  // [hi, lo, expiry second] per entry, oldest at `head`.
  let queueCapacity = Math.min(slots / 2, maxEntries);
  let queue = new Uint32Array(queueCapacity * 3);
  let head = 0;
  let size = 0;

  function find(hi: number, lo: number): number {
    let i = hi & mask;
    for (;;) {
      const h = table[i * 2]!;
      const l = table[i * 2 + 1]!;
      if (h === hi && l === lo) return i;
      if (h === 0 && l === 0) return -1 - i;
      i = (i + 1) & mask;
    }
  }

  function remove(slot: number): void {
    let i = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const h = table[j * 2]!;
      const l = table[j * 2 + 1]!;
      if (h === 0 && l === 0) break;
      const home = h & mask;
      // Move j back into the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        table[i * 2] = h;
        table[i * 2 + 1] = l;
        i = j;
      }
    }
    table[i * 2] = 0;
    table[i * 2 + 1] = 0;
  }

  function growTable(): void {
    const old = table;
    slots *= 2;
    mask = slots - 1;
    table = new Uint32Array(slots * 2);
    for (let k = 0; k < old.length; k += 2) {
      const hi = old[k]!;
      const lo = old[k + 1]!;
      if (hi === 0 && lo === 0) continue;
      const at = -1 - find(hi, lo);
      table[at * 2] = hi;
      table[at * 2 + 1] = lo;
    }
  }

  function growQueue(): void {
    const capacity = Math.min(queueCapacity * 2, maxEntries);
    const next = new Uint32Array(capacity * 3);
    for (let k = 0; k < size; k++) {
      const from = ((head + k) % queueCapacity) * 3;
      next[k * 3] = queue[from]!;
      next[k * 3 + 1] = queue[from + 1]!;
      next[k * 3 + 2] = queue[from + 2]!;
    }
    queue = next;
    queueCapacity = capacity;
    head = 0;
  }

  function expire(nowMs: number): void {
    while (size > 0) {
      const at = head * 3;
      if (queue[at + 2]! * 1000 >= nowMs) return;
      const slot = find(queue[at]!, queue[at + 1]!);
      if (slot >= 0) remove(slot);
      head = (head + 1) % queueCapacity;
      size--;
    }
  }

  return {
    checkAndStore(keyId: string, nonce: string, expiresAtMs: number): NonceResult {
      if (typeof keyId !== "string" || typeof nonce !== "string" || !Number.isFinite(expiresAtMs)) {
        throw new InvalidNonceStoreOptionError("checkAndStore needs (keyId: string, nonce: string, expiresAtMs: number)");
      }
      expire(now());
      let hi: number;
      let lo: number;
      // SipHash of the usual (latin1) pair: no allocation but the joined string, a third of SHA-256's cost.
      if (sipHash24(sipKey, `${keyId}\n${nonce}`, fingerprint)) {
        hi = fingerprint[0]!;
        lo = fingerprint[1]! || 1;
      } else {
        // A "binary" (latin1) string digest, read by char code: half the cost of a Buffer digest.
        const digest = hash("sha256", `${salt}${keyId}\n${nonce}`, "binary");
        hi = word(digest, 0);
        lo = word(digest, 4) || 1;
      }
      const found = find(hi, lo);
      if (found >= 0) return "replayed";
      if (size >= maxEntries) return "full";
      let slot = -1 - found;
      if ((size + 1) * 2 > slots && slots < maxSlots) {
        growTable();
        slot = -1 - find(hi, lo);
      }
      if (size === queueCapacity) growQueue();
      table[slot * 2] = hi;
      table[slot * 2 + 1] = lo;
      const at = ((head + size) % queueCapacity) * 3;
      queue[at] = hi;
      queue[at + 1] = lo;
      // Rounded up: the store may remember a nonce longer than asked, never shorter.
      queue[at + 2] = Math.min(Math.ceil(expiresAtMs / 1000), 0xffffffff);
      size++;
      return "stored";
    },
    get size() {
      return size;
    },
    get allocatedBytes() {
      return table.byteLength + queue.byteLength;
    },
    async close() {
      table = new Uint32Array(slots * 2);
      head = 0;
      size = 0;
    },
  };
}

/** Little-endian uint32 from four bytes of a latin1 string (one char per byte). */
function word(bytes: string, at: number): number {
  return (bytes.charCodeAt(at) | (bytes.charCodeAt(at + 1) << 8) | (bytes.charCodeAt(at + 2) << 16) | (bytes.charCodeAt(at + 3) << 24)) >>> 0;
}

export class InvalidNonceStoreOptionError extends BaseError {
  override name = "InvalidNonceStoreOptionError";
  constructor(reason: string, details?: string) {
    super(`Invalid memory nonce store option: ${reason}.`, { details });
  }
}
