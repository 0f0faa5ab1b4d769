import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisNonceStore } from "../../src/nonces/redisNonceStore.ts";
import type { NonceStore } from "../../src/nonces/types.ts";
import { type RedisServer, redisSkipReason, startRedis } from "../helpers/redis.ts";

if (redisSkipReason) console.warn(`Skipping Redis nonce store tests: ${redisSkipReason}`);

const keyId = `0x${"ab".repeat(32)}`;
const inAMinute = () => Date.now() + 60_000;

describe.skipIf(redisSkipReason !== undefined)("redisNonceStore", () => {
  let redis: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it("stores a nonce once and reports every later use as replayed", async () => {
    const store = redisNonceStore({ url: redis.url });
    await store.ready();
    const nonce = randomUUID();
    expect(await store.checkAndStore(keyId, nonce, inAMinute())).toBe("stored");
    expect(await store.checkAndStore(keyId, nonce, inAMinute())).toBe("replayed");
    // Nonces are per key: the same nonce under another key is a different request.
    expect(await store.checkAndStore(`0x${"cd".repeat(32)}`, nonce, inAMinute())).toBe("stored");
    await store.close();
  });

  it("records a burst of concurrent nonces exactly once each (auto-pipelined)", async () => {
    const store = redisNonceStore({ url: redis.url });
    await store.ready();
    const nonces = Array.from({ length: 2_000 }, () => randomUUID());
    const doubled = [...nonces, ...nonces];
    const results = await Promise.all(doubled.map((n) => store.checkAndStore(keyId, n, inAMinute())));
    expect(results.filter((r) => r === "stored")).toHaveLength(nonces.length);
    expect(results.filter((r) => r === "replayed")).toHaveLength(nonces.length);
    await store.close();
  });

  it("lets Redis forget a nonce after its expiry, with a TTL from the injected clock", async () => {
    let clock = 1_000_000;
    const store = redisNonceStore({ url: redis.url, keyPrefix: "ttl-test:", now: () => clock });
    await store.ready();
    expect(await store.checkAndStore(keyId, "n-ttl", clock + 90_000)).toBe("stored");
    const [key] = await admin.keys("ttl-test:*");
    expect(key).toMatch(/^ttl-test:[A-Za-z0-9_-]{22}$/);
    const pttl = await admin.pttl(key!);
    expect(pttl).toBeGreaterThan(80_000);
    expect(pttl).toBeLessThanOrEqual(90_000);

    // An already-past expiry still checks presence, and lives 1 ms.
    expect(await store.checkAndStore(keyId, "n-past", clock - 5_000)).toBe("stored");
    clock += 5;
    let result = await store.checkAndStore(keyId, "n-past", clock + 1);
    for (let i = 0; result === "replayed" && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 5));
      result = await store.checkAndStore(keyId, "n-past", clock + 1);
    }
    expect(result).toBe("stored");
    await store.close();
  });

  it("shares nonces between two stores (two verifier processes) on one Redis", async () => {
    const a = redisNonceStore({ url: redis.url });
    const b = redisNonceStore({ url: redis.url });
    await Promise.all([a.ready(), b.ready()]);
    const nonce = randomUUID();
    expect(await a.checkAndStore(keyId, nonce, inAMinute())).toBe("stored");
    expect(await b.checkAndStore(keyId, nonce, inAMinute())).toBe("replayed");
    const both = await Promise.all([a.checkAndStore(keyId, "race", inAMinute()), b.checkAndStore(keyId, "race", inAMinute())]);
    expect(both.sort()).toEqual(["replayed", "stored"]);
    await Promise.all([a.close(), b.close()]);
  });

  it("rejects unusable nonces and key ids without touching Redis", async () => {
    const store = redisNonceStore({ url: redis.url });
    await store.ready();
    for (const [k, n] of [
      [keyId, ""],
      [keyId, "x".repeat(257)],
      [keyId, "tab\there"],
      [keyId, "é"],
      ["", "fine"],
      [keyId, 42 as unknown as string],
    ] as const) {
      expect(await store.checkAndStore(k, n, inAMinute())).toBe("replayed");
    }
    expect(await store.checkAndStore(keyId, "x".repeat(256), inAMinute())).toBe("stored");
    expect(await store.checkAndStore(keyId, "fine", Number.NaN)).toBe("replayed");
    await store.close();
  });

  it("leaves a caller's client open and uses its key prefix", async () => {
    const client = new Redis(redis.url, { enableAutoPipelining: true });
    const store = redisNonceStore({ client, keyPrefix: "mine:" });
    const asVerifierOption: NonceStore = store;
    expect(asVerifierOption).toBe(store);
    await store.ready();
    expect(await store.checkAndStore(keyId, "own-client", inAMinute())).toBe("stored");
    await store.close();
    expect(await store.checkAndStore(keyId, "after-close", inAMinute())).toBe("unavailable");
    expect(client.status).toBe("ready");
    expect(await admin.keys("mine:*")).toHaveLength(1);
    client.disconnect();
  });

  it("answers unavailable within its timeout when Redis stops answering", async () => {
    const frozen = await startRedis();
    const store = redisNonceStore({ url: frozen.url, timeoutMs: 100 });
    await store.ready();
    // SIGSTOP keeps the socket open but nobody answers: only the timeout can tell.
    process.kill(frozen.pid, "SIGSTOP");
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.checkAndStore(keyId, `frozen-${i}`, inAMinute())));
      expect(new Set(results)).toEqual(new Set(["unavailable"]));
    } finally {
      process.kill(frozen.pid, "SIGCONT");
      await store.close();
      await frozen.stop();
    }
  });

  it("answers unavailable (never stored) while Redis is down, and recovers when it is back", async () => {
    const server = await startRedis();
    const store = redisNonceStore({ url: server.url });
    const peer = redisNonceStore({ url: server.url });
    await Promise.all([store.ready(), peer.ready()]);
    expect(await store.checkAndStore(keyId, "before", inAMinute())).toBe("stored");

    // Load in flight while Redis is killed: each call is stored by Redis or refused, never anything else.
    let n = 0;
    const inFlight: Promise<string>[] = [];
    const pump = setInterval(() => {
      for (let i = 0; i < 20; i++) inFlight.push(store.checkAndStore(keyId, `load-${n++}`, inAMinute()));
    }, 1);
    await new Promise((r) => setTimeout(r, 20));
    await server.stop({ signal: "SIGKILL" });
    const afterKill: Promise<string>[] = [];
    for (let i = 0; i < 200; i++) afterKill.push(store.checkAndStore(keyId, `after-${i}`, inAMinute()));
    clearInterval(pump);
    const during = await Promise.all(inFlight);
    expect(during.every((r) => r === "stored" || r === "unavailable")).toBe(true);
    expect(new Set(await Promise.all(afterKill))).toEqual(new Set(["unavailable"]));
    expect(await peer.checkAndStore(keyId, "before", inAMinute())).toBe("unavailable");

    const restarted = await startRedis({ port: server.port });
    try {
      await Promise.all([store.ready(), peer.ready()]);
      const fresh = randomUUID();
      expect(await store.checkAndStore(keyId, fresh, inAMinute())).toBe("stored");
      expect(await peer.checkAndStore(keyId, fresh, inAMinute())).toBe("replayed");
    } finally {
      await Promise.all([store.close(), peer.close()]);
      await restarted.stop();
    }
  });
});
