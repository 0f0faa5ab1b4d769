// The reference API on two worker processes (node:cluster) sharing one port and a
// Redis nonce store, against a real local chain with a registered key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseError } from "../../src/errors/BaseError.ts";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiCluster, type StartApiClusterReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { type RedisServer, redisSkipReason, startRedis } from "../helpers/redis.ts";
import { registerKey } from "../helpers/registerKey.ts";

let node: LocalNode;
let redis: RedisServer;
let api: StartApiClusterReturnType;
let key: KeyFile;
const logs: string[] = [];

beforeAll(async () => {
  if (redisSkipReason) return;
  [node, redis] = await Promise.all([startLocalNode(), startRedis()]);
  // The workers judge by the wall clock; the deployment may have left the chain's clock ahead of it.
  const notBefore = Math.floor(Date.now() / 1000) - 60;
  ({ key } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[0], label: "cluster-app", notBefore }));
  api = await startApiCluster({ workers: 2, rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, redisUrl: redis.url, metricsPort: 0, log: (l) => logs.push(l) });
});

afterAll(async () => {
  await api?.close();
  await Promise.all([node?.stop(), redis?.stop()]);
});

const get = async (path = "/v1/prices") => fetch(await signRequest(new Request(`${api.url}${path}`), { key }));

async function verifiedTotal(): Promise<number> {
  const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('keyledger_api_requests_verified_total{route="/v1/prices"} '));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(redisSkipReason)("API cluster", () => {
  it("refuses a bad worker count and several workers without Redis", async () => {
    for (const workers of [0, 65, 1.5]) {
      await expect(startApiCluster({ workers, rpcUrl: "http://127.0.0.1:1" })).rejects.toThrow(/Invalid worker count/);
    }
    const error = await startApiCluster({ workers: 2, rpcUrl: "http://127.0.0.1:1" }).catch((e) => e);
    expect(error).toBeInstanceOf(BaseError);
    expect(error.shortMessage).toMatch(/need a shared nonce store \(redisUrl or redisCluster\)/);
  });

  it("spreads signed requests over both workers, shares nonces and aggregates the metrics", async () => {
    const before = await verifiedTotal();
    const answers = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((r) => r.headers.get("keyledger-worker"))).size).toBe(2);
    await Promise.all(answers.map((r) => r.arrayBuffer()));

    // Sent until both workers saw it: the second one must refuse through the shared store.
    const once = await signRequest(new Request(`${api.url}/v1/prices`), { key });
    const first = await fetch(once.clone());
    expect(first.status).toBe(200);
    const replays = await Promise.all(Array.from({ length: 6 }, () => fetch(once.clone())));
    expect(replays.map((r) => r.status)).toEqual(Array(6).fill(401));
    expect(new Set(replays.map((r) => r.headers.get("keyledger-worker"))).size).toBe(2);
    expect((await replays[0]!.json()).error).toBe("replayed-nonce");

    expect(await verifiedTotal()).toBe(before + 21);
  });

  it("replaces a worker that was killed, and close() leaves no worker behind", async () => {
    const [victim, survivor] = api.workers();
    process.kill(victim!.pid, "SIGKILL");
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(api.workers().length === 2 && !api.workers().some((w) => w.pid === victim!.pid))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const replaced = api.workers();
    expect(replaced.map((w) => w.pid)).not.toContain(victim!.pid);
    expect(replaced.map((w) => w.pid)).toContain(survivor!.pid);
    expect(logs.some((l) => l.includes(`worker ${victim!.id} (pid ${victim!.pid}) exited (SIGKILL)`))).toBe(true);
    const newcomer = replaced.find((w) => w.pid !== survivor!.pid)!;
    while (Date.now() < deadline && !logs.some((l) => l.startsWith(`worker ${newcomer.id}: KeyLedger API on`))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const answers = await Promise.all(Array.from({ length: 10 }, () => get()));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(logs.join("\n")).not.toContain(redis.url);

    const pids = api.workers().map((w) => w.pid);
    await api.close();
    expect(pids.filter(alive)).toEqual([]);
  });
});
