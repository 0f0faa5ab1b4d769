import { execFile } from "node:child_process";
import { hash, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseError } from "../../src/errors/BaseError.ts";
import { redisNonceStore } from "../../src/nonces/redisNonceStore.ts";
import type { NonceResult } from "../../src/nonces/types.ts";
import { startApiServer } from "../../src/server/startApiServer.ts";
import { type RedisClusterFixture, redisSkipReason, startRedisCluster } from "../helpers/redisCluster.ts";

if (redisSkipReason) console.warn(`Skipping Redis Cluster nonce store tests: ${redisSkipReason}`);

const run = promisify(execFile);
const processScript = fileURLToPath(new URL("./clusterStoreProcess.ts", import.meta.url));
const keyIds = Array.from({ length: 8 }, (_, i) => `0x${i.toString(16).padStart(2, "0").repeat(32)}`);
const inAMinute = () => Date.now() + 60_000;
const freshPairs = (count: number): [string, string][] =>
  Array.from({ length: count }, (_, i) => [keyIds[i % keyIds.length]!, randomUUID()]);

/** The key the store writes for a pair (its documented naming), to see which shard holds it. */
const keyOf = (keyId: string, nonce: string) => `kl:n:${hash("sha256", `${keyId}\n${nonce}`, "base64url").slice(0, 22)}`;

describe("redisNonceStore cluster option validation", () => {
  it.each([
    [[], "at least one seed node"],
    [[""], "is empty"],
    [["127.0.0.1"], "has no valid port"],
    [["127.0.0.1:0"], "has no valid port"],
    [["rediss://127.0.0.1:7000"], "only redis: is supported"],
    [["redis://:secret@127.0.0.1:7000"], "carries credentials"],
    [["redis://127.0.0.1:7000/2"], "has a path or query"],
  ])("rejects %j", (cluster, message) => {
    let thrown: unknown;
    try {
      redisNonceStore({ cluster });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BaseError);
    expect((thrown as BaseError).shortMessage).toContain(message);
    // The error must not echo a password it refused.
    expect((thrown as BaseError).message).not.toContain("secret");
  });

  it("refuses an API server with both a Redis URL and a cluster (two stores would not share nonces)", async () => {
    await expect(
      startApiServer({ rpcUrl: "http://127.0.0.1:1", redisUrl: "redis://127.0.0.1:1", redisCluster: ["127.0.0.1:2"] }),
    ).rejects.toThrow(/either redisUrl or redisCluster/);
  });
});

describe.skipIf(redisSkipReason !== undefined)("redisNonceStore on a Redis Cluster", () => {
  let cluster: RedisClusterFixture;
  let admin: Cluster;

  /** slot → address of the master serving it, from CLUSTER NODES. */
  async function slotOwners(): Promise<Map<number, string>> {
    const alive = cluster.nodes.find((n) => n.alive())!;
    const owners = new Map<number, string>();
    for (const line of (await cluster.cli(alive.port, "CLUSTER", "NODES")).trim().split("\n")) {
      const [, address, flags, , , , , , ...ranges] = line.split(" ");
      if (!flags!.includes("master") || flags!.includes("fail")) continue;
      for (const range of ranges) {
        const [from, to = from] = range.split("-").map(Number);
        for (let slot = from!; slot <= to!; slot++) owners.set(slot, address!.split("@")[0]!);
      }
    }
    return owners;
  }

  /** Slot of every key, asked of the cluster itself (CLUSTER KEYSLOT), pipelined. */
  async function slotsOf(keys: string[]): Promise<number[]> {
    const pipeline = admin.pipeline();
    for (const key of keys) pipeline.call("CLUSTER", "KEYSLOT", key);
    return (await pipeline.exec())!.map(([error, slot]) => {
      if (error) throw error;
      return Number(slot);
    });
  }

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startRedisCluster();
    console.info(`Redis Cluster of 6 nodes up in ${Date.now() - started} ms`);
    admin = new Cluster([{ host: "127.0.0.1", port: cluster.nodes[0]!.port }]);
    await new Promise((resolve) => admin.once("ready", resolve));
  });
  afterAll(async () => {
    admin?.disconnect();
    await cluster?.stop();
  });

  it("stores each (keyId, nonce) once, replays are replays, and keys spread over all three masters", async () => {
    const store = redisNonceStore({ cluster: [cluster.nodes[0]!.address] });
    await store.ready();
    const pairs = freshPairs(600);
    const first = await Promise.all(pairs.map(([k, n]) => store.checkAndStore(k, n, inAMinute())));
    expect(first.every((r) => r === "stored")).toBe(true);
    const again = await Promise.all(pairs.map(([k, n]) => store.checkAndStore(k, n, inAMinute())));
    expect(again.every((r) => r === "replayed")).toBe(true);

    const owners = await slotOwners();
    const masters = admin.nodes("master").map((node) => `${node.options.host}:${node.options.port}`);
    expect(masters).toHaveLength(3);
    const perMaster = new Map<string, number>();
    for (const slot of await slotsOf(pairs.map(([k, n]) => keyOf(k, n)))) {
      const owner = owners.get(slot)!;
      perMaster.set(owner, (perMaster.get(owner) ?? 0) + 1);
    }
    expect([...perMaster.keys()].sort()).toEqual([...masters].sort());
    // Hashing spreads 600 keys roughly evenly: no master holds fewer than a sixth.
    for (const count of perMaster.values()) expect(count).toBeGreaterThan(100);
    // Every key is really there, on its master (not only in the client's view).
    expect(await admin.exists(keyOf(pairs[0]![0], pairs[0]![1]))).toBe(1);
    await store.close();
  });

  it("shares nonces between two verifier processes seeded from different nodes", async () => {
    const [seedA, seedB] = [cluster.nodes[0]!.address, cluster.nodes[4]!.address];
    const inProcess = async (seed: string, pairs: [string, string][]) =>
      JSON.parse((await run(process.execPath, [processScript, seed, JSON.stringify(pairs)], { timeout: 30_000 })).stdout) as NonceResult[];
    const fromA = freshPairs(200);
    const fromB = freshPairs(200);
    expect(await inProcess(seedA, fromA)).toEqual(fromA.map(() => "stored"));
    expect(await inProcess(seedB, [...fromA, ...fromB])).toEqual([...fromA.map(() => "replayed"), ...fromB.map(() => "stored")]);
    expect(await inProcess(seedA, fromB)).toEqual(fromB.map(() => "replayed"));
  });

  it("fails closed while a master dies, and the same store recovers after its replica is promoted", async () => {
    const timeoutMs = 250;
    const seed = cluster.nodes[0]!;
    const store = redisNonceStore({ cluster: [seed.address], timeoutMs });
    await store.ready();

    // Stored well before the crash: these must stay replays whatever happens.
    const before = freshPairs(300);
    expect(await Promise.all(before.map(([k, n]) => store.checkAndStore(k, n, inAMinute())))).toEqual(before.map(() => "stored"));
    await new Promise((r) => setTimeout(r, 300));

    const ownersBefore = await slotOwners();
    const victimAddress = [...new Set(ownersBefore.values())].find((address) => address !== seed.address)!;
    const victim = cluster.nodes.find((n) => n.address === victimAddress)!;
    const victimSlots = new Set([...ownersBefore].filter(([, owner]) => owner === victimAddress).map(([slot]) => slot));
    // Pre-compute fresh pairs on the victim's slots, to probe exactly the dead shard.
    const candidates = freshPairs(3_000);
    const candidateSlots = await slotsOf(candidates.map(([k, n]) => keyOf(k, n)));
    const onVictim = candidates.filter((_, i) => victimSlots.has(candidateSlots[i]!));
    expect(onVictim.length).toBeGreaterThan(500);

    // Written in the last instant before the kill: asynchronous replication may lose them.
    const lastInstant = onVictim.splice(0, 50);
    const lastResults = await Promise.all(lastInstant.map(([k, n]) => store.checkAndStore(k, n, inAMinute())));
    const killedAt = Date.now();
    await victim.kill("SIGKILL");

    type Probe = { at: number; ms: number; result: NonceResult; kind: "fresh-victim" | "fresh-any" | "replay-before" };
    const probes: Probe[] = [];
    const probe = async (kind: Probe["kind"], [k, n]: [string, string]) => {
      const start = Date.now();
      const result = await store.checkAndStore(k, n, inAMinute());
      probes.push({ at: start - killedAt, ms: Date.now() - start, result, kind });
      return result;
    };
    let recoveredAt: number | undefined;
    let replayIndex = 0;
    while (Date.now() - killedAt < 15_000) {
      const [freshVictim] = await Promise.all([
        probe("fresh-victim", onVictim.shift()!),
        probe("fresh-any", freshPairs(1)[0]!),
        probe("replay-before", before[replayIndex++ % before.length]!),
      ]);
      if (freshVictim === "stored") {
        recoveredAt = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }

    const unavailable = probes.filter((p) => p.result === "unavailable");
    const slowest = Math.max(...unavailable.map((p) => p.ms));
    const survivedLastInstant = await Promise.all(lastInstant.map(([k, n]) => store.checkAndStore(k, n, inAMinute())));
    const allBefore = await Promise.all(before.map(([k, n]) => store.checkAndStore(k, n, inAMinute())));
    console.info(
      [
        `killed master ${victimAddress} (${victimSlots.size} slots) at t=0`,
        `replica promoted and fresh nonce stored on its slots at t=${recoveredAt} ms`,
        `probes: ${probes.length}, unavailable: ${unavailable.length}, slowest unavailable answer: ${slowest} ms (timeoutMs ${timeoutMs})`,
        `first unavailable at t=${unavailable[0]?.at} ms, last at t=${unavailable.at(-1)?.at} ms`,
        `fresh nonces on other masters: ${probes.filter((p) => p.kind === "fresh-any" && p.result === "stored").length} stored, ${probes.filter((p) => p.kind === "fresh-any" && p.result === "unavailable").length} unavailable`,
        `last-instant nonces (${lastResults.filter((r) => r === "stored").length} stored just before the kill): after failover ${survivedLastInstant.filter((r) => r === "replayed").length} replayed, ${survivedLastInstant.filter((r) => r === "stored").length} forgotten (stored again)`,
      ].join("\n"),
    );

    expect(probes.every((p) => ["stored", "replayed", "unavailable"].includes(p.result))).toBe(true);
    // Never "stored" for a nonce that was recorded before the crash.
    expect(probes.filter((p) => p.kind === "replay-before").every((p) => p.result !== "stored")).toBe(true);
    expect(allBefore).toEqual(before.map(() => "replayed"));
    // The dead shard answers fast ("unavailable"), it does not hang (ioredis alone
    // took ~1.75 s). The slack absorbs timer lateness on a loaded machine (seen: 317 ms).
    expect(probes.filter((p) => p.kind === "fresh-victim").some((p) => p.result === "unavailable")).toBe(true);
    expect(slowest).toBeLessThanOrEqual(timeoutMs + 250);
    expect(recoveredAt).toBeDefined();
    expect(await store.checkAndStore(...onVictim.shift()!, inAMinute())).toBe("stored");
    await store.close();
  }, 60_000);
});
