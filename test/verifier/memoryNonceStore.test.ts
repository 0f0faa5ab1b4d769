import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidNonceStoreOptionError, memoryNonceStore } from "../../src/nonces/index.ts";

const key = `0x${"ab".repeat(32)}`;

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
