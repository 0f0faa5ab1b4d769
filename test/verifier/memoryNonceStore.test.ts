import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidNonceStoreOptionError, memoryNonceStore } from "../../src/nonces/index.ts";
import { sipHash24 } from "../../src/nonces/sipHash.ts";

const key = `0x${"ab".repeat(32)}`;

describe("sipHash24", () => {
  // The reference implementation's vectors (vectors.h): key 00..0f, message 00..len-1, output bytes little-endian.
  const expected = [
    "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785", "b7877127e09427cf", "8da699cd64557618",
    "cee3fe586e46c9cb", "37d1018bf50002ab", "6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
    "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
  ];
  it("matches the reference vectors", () => {
    const sipKey = new Uint32Array(new Uint8Array([...Array(16).keys()]).buffer);
    const out = new Uint32Array(2);
    expected.forEach((hex, length) => {
      expect(sipHash24(sipKey, String.fromCharCode(...Array.from({ length }, (_, i) => i)), out)).toBe(true);
      const bytes = Buffer.alloc(8);
      bytes.writeUInt32LE(out[1]!, 0);
      bytes.writeUInt32LE(out[0]!, 4);
      expect(bytes.toString("hex")).toBe(hex);
    });
  });

  it("declines text that is not latin1, and the store still tells such nonces apart", () => {
    expect(sipHash24(new Uint32Array(4), "nonce\u0100", new Uint32Array(2))).toBe(false);
    const store = memoryNonceStore({ now: () => 1_000 });
    expect(store.checkAndStore(key, "n\u0100", 60_000)).toBe("stored");
    expect(store.checkAndStore(key, "n\u0100", 60_000)).toBe("replayed");
    expect(store.checkAndStore(key, "n\u0101", 60_000)).toBe("stored");
    expect(store.checkAndStore(key, "n\u00ff", 60_000)).toBe("stored");
  });
});

describe("memoryNonceStore", () => {
  it("stores once, reports a replay, scopes nonces by key id", () => {
    const store = memoryNonceStore({ now: () => 1_000 });
    expect(store.checkAndStore(key, "n1", 60_000)).toBe("stored");
    expect(store.checkAndStore(key, "n1", 60_000)).toBe("replayed");
    expect(store.checkAndStore(`0x${"cd".repeat(32)}`, "n1", 60_000)).toBe("stored");
    // No ambiguity between (keyId, nonce) splits.
    expect(store.checkAndStore(`${key}n`, "1", 60_000)).toBe("stored");
    expect(store.size).toBe(3);
  });

  it("forgets a nonce only after its expiry", () => {
    let now = 0;
    const store = memoryNonceStore({ now: () => now });
    expect(store.checkAndStore(key, "n", 10_000)).toBe("stored");
    now = 10_000;
    expect(store.checkAndStore(key, "n", 20_000)).toBe("replayed");
    now = 10_001;
    expect(store.checkAndStore(key, "n", 20_000)).toBe("stored");
  });

  it("answers full when every entry is live, and makes room as entries expire (fail closed)", () => {
    let now = 0;
    const store = memoryNonceStore({ maxEntries: 3, now: () => now });
    for (const n of ["a", "b", "c"]) expect(store.checkAndStore(key, n, 1_000 * (n.charCodeAt(0) - 96))).toBe("stored");
    expect(store.checkAndStore(key, "d", 5_000)).toBe("full");
    // A replay is still recognised as such when full.
    expect(store.checkAndStore(key, "a", 5_000)).toBe("replayed");
    now = 1_001;
    expect(store.checkAndStore(key, "d", 5_000)).toBe("stored");
    expect(store.checkAndStore(key, "e", 5_000)).toBe("full");
  });

  it("grows to a million entries and keeps every one (about 29 bytes each)", () => {
    const maxEntries = 1_000_000;
    const store = memoryNonceStore({ maxEntries, now: () => 0 });
    for (let i = 0; i < maxEntries; i++) if (store.checkAndStore(key, `n${i}`, 60_000) !== "stored") throw new Error(`lost ${i}`);
    expect(store.checkAndStore(key, "one more", 60_000)).toBe("full");
    for (let i = 0; i < maxEntries; i += 997) expect(store.checkAndStore(key, `n${i}`, 60_000)).toBe("replayed");
    const perEntry = store.allocatedBytes / maxEntries;
    console.log(`memoryNonceStore: ${store.allocatedBytes} bytes allocated for ${maxEntries} live nonces = ${perEntry.toFixed(1)} B/entry`);
    expect(perEntry).toBeLessThanOrEqual(100);
  });

  it("matches a reference model under random inserts, replays and expiry (deletions shift probes correctly)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ nonce: fc.integer({ min: 0, max: 400 }), advance: fc.integer({ min: 0, max: 30 }) }), { maxLength: 600 }),
        fc.integer({ min: 5, max: 300 }),
        (ops, maxEntries) => {
          let now = 0;
          const store = memoryNonceStore({ maxEntries, now: () => now });
          // Whole seconds, increasing with arrival: the store's arrival-order expiry (rounded
          // up to the second) is then exact.
          const model = new Map<string, number>();
          for (const { nonce, advance } of ops) {
            now += advance * 1000;
            for (const [n, expiry] of model) if (expiry < now) model.delete(n);
            const expiresAt = now + 100_000;
            const expected = model.has(String(nonce)) ? "replayed" : model.size >= maxEntries ? "full" : "stored";
            if (expected === "stored") model.set(String(nonce), expiresAt);
            const actual = store.checkAndStore(key, String(nonce), expiresAt);
            if (actual !== expected) return false;
            if (store.size !== model.size) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps every live nonce through heavy churn at the maximum load", () => {
    let now = 0;
    const maxEntries = 1024;
    const store = memoryNonceStore({ maxEntries, now: () => now });
    const live = 3;
    for (let round = 0; round < 40; round++) {
      now = round * 1000;
      // Each round adds 300 nonces living 3 rounds: ~900 live, near maxEntries, table ~45 % full.
      for (let i = 0; i < 300; i++) expect(store.checkAndStore(key, `${round}:${i}`, now + (live - 1) * 1000)).toBe("stored");
      for (let r = Math.max(0, round - live + 1); r <= round; r++) {
        for (let i = 0; i < 300; i += 7) expect(store.checkAndStore(key, `${r}:${i}`, 0)).toBe("replayed");
      }
    }
    expect(store.size).toBeLessThanOrEqual(live * 300);
  });

  it("rejects invalid options and arguments with a typed error", () => {
    expect(() => memoryNonceStore({ maxEntries: 0 })).toThrow(InvalidNonceStoreOptionError);
    expect(() => memoryNonceStore({ maxEntries: 1.5 })).toThrow(InvalidNonceStoreOptionError);
    expect(() => memoryNonceStore({ maxEntries: 2 ** 30 })).toThrow(InvalidNonceStoreOptionError);
    expect(() => memoryNonceStore().checkAndStore(key, "n", Number.NaN)).toThrow(InvalidNonceStoreOptionError);
  });
});
