// The reference API against a real Redis Cluster (3 masters + 3 replicas) and a real
// chain: two API processes started by `node src/server/main.ts --redis-cluster`, each
// seeded from a different cluster node, refuse each other's replays over HTTP; a
// 2-worker `startApiCluster` shares the cluster store; a master killed under load gives
// 503 nonce-store-unavailable, never an acceptance, and the servers recover by themselves.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiCluster, type StartApiClusterReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { type RedisClusterFixture, redisSkipReason, startRedisCluster } from "../helpers/redisCluster.ts";
import { registerKey } from "../helpers/registerKey.ts";

type ApiProcess = { url: string; child: ChildProcess; stderr: string[] };

let node: LocalNode;
let cluster: RedisClusterFixture;
let key: KeyFile;
const processes: ApiProcess[] = [];
let workers: StartApiClusterReturnType | undefined;

async function startApiProcess(seed: string): Promise<ApiProcess> {
  const child = spawn(
    process.execPath,
    ["src/server/main.ts", "--rpc", node.rpcUrl, "--manifest", node.manifestPath, "--port", "0", "--origin", origin, "--redis-cluster", seed],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KEYLEDGER_REDIS_URL: "", KEYLEDGER_REDIS_CLUSTER: "" } },
  );
  const stderr: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("http://"));
      if (line) resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`API process exited (${code}): ${stderr.join("")}`)));
  });
  const api = { url, child, stderr };
  processes.push(api);
  return api;
}

// Both processes stand behind one public origin (a load balancer's), so a request
// signed once is judged the same by either: only the nonce store can tell a replay.
const origin = "http://api.keyledger.test";
const signed = () => signRequest(new Request(`${origin}/v1/prices`), { key });
const sendTo = (request: Request, url: string) => fetch(`${url}/v1/prices`, { headers: request.headers });

beforeAll(async () => {
  if (redisSkipReason) return;
  [node, cluster] = await Promise.all([startLocalNode(), startRedisCluster()]);
  // The API judges key windows by the wall clock; the deployment may have moved the chain's clock ahead.
  const notBefore = Math.floor(Date.now() / 1000) - 60;
  ({ key } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[0], label: "cluster-api", notBefore }));
}, 120_000);

afterAll(async () => {
  await workers?.close();
  for (const api of processes) api.child.kill("SIGTERM");
  await Promise.all(processes.map((api) => new Promise((r) => (api.child.exitCode === null ? api.child.once("exit", r) : r(null)))));
  await Promise.all([node?.stop(), cluster?.stop()]);
});

describe.skipIf(redisSkipReason)("reference API on a Redis Cluster", () => {
  it("two API processes seeded from different cluster nodes refuse each other's replays", async () => {
    const [a, b] = await Promise.all([startApiProcess(cluster.nodes[0]!.address), startApiProcess(cluster.nodes[4]!.address)]);
    for (const [first, second] of [
      [a, b],
      [b, a],
    ] as const) {
      // Enough requests that their nonces land on all three masters' slots.
      const requests = await Promise.all(Array.from({ length: 30 }, signed));
      const accepted = await Promise.all(requests.map((r) => sendTo(r, first.url)));
      expect(accepted.map((r) => r.status)).toEqual(Array(30).fill(200));
      const replays = await Promise.all(requests.map((r) => sendTo(r, second.url)));
      expect(replays.map((r) => r.status)).toEqual(Array(30).fill(401));
      const reasons = await Promise.all(replays.map(async (r) => (await r.json()).error));
      expect(new Set(reasons)).toEqual(new Set(["replayed-nonce"]));
    }
    expect(a.stderr.join("")).toContain("nonces redis cluster");
    expect(a.stderr.join("") + b.stderr.join("")).not.toMatch(/"d"\s*:/);
  });

  it("a 2-worker startApiCluster shares the cluster store: a replay is refused by both workers", async () => {
    workers = await startApiCluster({
      workers: 2,
      rpcUrl: node.rpcUrl,
      manifest: node.manifest,
      port: 0,
      origin,
      metricsPort: 0,
      redisCluster: [cluster.nodes[2]!.address],
    });
    const once = await signed();
    expect((await sendTo(once, workers.url)).status).toBe(200);
    const replays = await Promise.all(Array.from({ length: 8 }, () => sendTo(once, workers!.url)));
    expect(replays.map((r) => r.status)).toEqual(Array(8).fill(401));
    expect(new Set(replays.map((r) => r.headers.get("keyledger-worker"))).size).toBe(2);
  });

  it("a master killed under load: 503 nonce-store-unavailable or a refusal, never an accepted replay; then recovery", async () => {
    const [a, b] = processes;
    // Replays of requests both servers already judged must stay refused through the failover.
    const judged = await Promise.all(Array.from({ length: 30 }, signed));
    expect((await Promise.all(judged.map((r) => sendTo(r, a!.url)))).map((r) => r.status)).toEqual(Array(30).fill(200));

    const masters = [];
    for (const n of cluster.nodes) if ((await cluster.cli(n.port, "INFO", "replication")).includes("role:master")) masters.push(n);
    const victim = masters[0]!;
    await victim.kill();

    const statuses = new Map<number, number>();
    let acceptedReplays = 0;
    let recovered = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !recovered) {
      const fresh = await Promise.all(Array.from({ length: 10 }, signed));
      const [freshAnswers, replayAnswers] = await Promise.all([
        Promise.all(fresh.map((r) => sendTo(r, b!.url))),
        Promise.all(judged.map((r) => sendTo(r, b!.url))),
      ]);
      for (const r of [...freshAnswers, ...replayAnswers]) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      acceptedReplays += replayAnswers.filter((r) => r.status < 300).length;
      for (const r of freshAnswers.filter((r) => r.status === 503)) expect((await r.json()).error).toBe("nonce-store-unavailable");
      recovered = freshAnswers.every((r) => r.status === 200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(acceptedReplays).toBe(0);
    expect([...statuses.keys()].every((s) => s === 200 || s === 401 || s === 503)).toBe(true);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(recovered).toBe(true);
  }, 60_000);
});
