// Fault injection with real processes (issue 5): a real hardhat node behind a TCP
// proxy (an RPC outage of the same chain), the node killed and replaced by a fresh
// chain, a reorganisation (evm_snapshot / evm_revert) that removes a registration,
// a Redis killed in the middle of load, verifier processes killed and restarted.
// The rule everywhere: when the verifier cannot know, it says so (503) and never
// accepts; it recovers by itself once it can know again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestClient, getAddress, type Hex, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploy } from "../../scripts/deploy/index.ts";
import { startHardhatNode } from "../../scripts/dev/startHardhatNode.ts";
import { count, reportFigures } from "../../scripts/stress/figures.ts";
import { type ChainKeyResolver, chainKeyResolver } from "../../src/chain/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { redisNonceStore } from "../../src/nonces/index.ts";
import { type ApiServer, createApiServer } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver, type Verifier, type VerifyResult } from "../../src/verifier/index.ts";
import { startTcpProxy, type TcpProxy } from "../chain/tcpProxy.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { redisSkipReason, startRedis } from "../helpers/redis.ts";
import { registerKey } from "../helpers/registerKey.ts";
import { type ChildHandle, startPersistentRedis, startVerifierProcess } from "./processes.ts";

const lines: string[] = [];
const data: Record<string, unknown> = {};
const started = performance.now();

afterAll(() => {
  reportFigures({
    suite: "faults",
    title: `fault injection with real processes: ${Object.keys(data).length} scenarios, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    lines,
    data,
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowSec = () => Math.floor(Date.now() / 1000);
let serial = 0;

/** Polls `probe` every 25 ms until `done` holds for its value; returns the value and how long it took. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<{ value: T; elapsedMs: number; seen: T[] }> {
  const start = performance.now();
  const seen: T[] = [];
  for (;;) {
    const value = await probe();
    seen.push(value);
    if (done(value)) return { value, elapsedMs: performance.now() - start, seen };
    if (performance.now() - start > ms) throw new Error(`condition not met within ${ms} ms; last: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

/** A fresh request to the API, signed now. */
function signed(key: KeyFile, origin = "https://api.keyledger.test", path = "/v1/prices") {
  return signRequest({ method: "GET", url: `${origin}${path}`, headers: [] as [string, string][] }, { key, created: nowSec(), nonce: `f${++serial}-${Math.random().toString(36).slice(2)}` });
}

async function verifyFresh(verifier: Verifier, key: KeyFile): Promise<VerifyResult> {
  const request = await signed(key);
  return verifier.verify({ method: request.method, url: request.url as string, headers: request.headers as [string, string][] });
}

const verdict = (r: VerifyResult) => (r.ok ? "accepted" : r.reason);

// ---------------------------------------------------------------------------

describe("chain faults on a real hardhat node", () => {
  let node: LocalNode;
  let proxy: TcpProxy;
  const resolvers: ChainKeyResolver[] = [];

  beforeAll(async () => {
    node = await startLocalNode();
    proxy = await startTcpProxy({ targetPort: node.port });
  });
  afterAll(async () => {
    await Promise.all(resolvers.map((r) => r.close()));
    await proxy?.stop().catch(() => {});
    await node?.stop();
  });

  // Keys valid from a minute ago: the chain's clock runs ahead of ours after the deployment's blocks.
  const register = (owner: number, key?: KeyFile) =>
    registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[owner]!, key, notBefore: nowSec() - 60, expiresAt: nowSec() + 86_400 });

  it("a reorganisation that removes a registration makes the key unknown", async () => {
    const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, pollingIntervalMs: 100, maxStalenessSeconds: 5 });
    resolvers.push(resolver);
    const verifier = createVerifier({ keys: resolver });
    await resolver.ready();
    const test = createTestClient({ mode: "hardhat", transport: http(node.rpcUrl) });

    const snapshot = await test.snapshot();
    const { key, receipt } = await register(2);
    await resolver.sync();
    expect(verdict(await verifyFresh(verifier, key))).toBe("accepted");

    // The block holding the registration is replaced by a longer branch without it.
    await test.revert({ id: snapshot });
    await test.mine({ blocks: 3 });
    await resolver.sync();
    const afterReorg = verdict(await verifyFresh(verifier, key));
    expect(afterReorg).toBe("unknown-key");
    expect(resolver.status().reorgs).toBeGreaterThan(0);

    // Registered again on the new branch: known again.
    await register(2, key);
    await resolver.sync();
    expect(verdict(await verifyFresh(verifier, key))).toBe("accepted");
    lines.push(
      `reorg: the registration in block ${receipt.blockNumber} was removed (evm_snapshot, evm_revert, 3 new blocks): verify answered ${afterReorg} after the next sync ` +
        `(${resolver.status().reorgs} reorg handled); registered again on the new branch: accepted`,
    );
    data.reorg = { removedBlock: Number(receipt.blockNumber), afterReorg, reorgs: resolver.status().reorgs };
  });

  it("an RPC outage fails closed with stale-chain-state, and the verifier recovers by itself", async () => {
    const maxStalenessSeconds = 1;
    const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: proxy.url, pollingIntervalMs: 100, maxStalenessSeconds });
    resolvers.push(resolver);
    const verifier = createVerifier({ keys: resolver });
    const api: ApiServer = await createApiServer({ verifier, chain: resolver, origin: "https://api.keyledger.test" });
    try {
      await resolver.ready();
      const [{ key: stays }, { key: doomed }] = [await register(1), await register(1)];
      await resolver.sync();
      expect([verdict(await verifyFresh(verifier, stays)), verdict(await verifyFresh(verifier, doomed))]).toEqual(["accepted", "accepted"]);

      await proxy.stop();
      const cut = performance.now();
      // Until the index is older than maxStalenessSeconds it may still vouch; then never.
      const toStale = await until(() => verifyFresh(verifier, stays), (r) => verdict(r) === "stale-chain-state");
      const staleAfterMs = performance.now() - cut;
      const during: string[] = [];
      // Revoked while the verifier cannot see the chain.
      const { walletClient, publicClient } = localClients(node.rpcUrl);
      const hash = await walletClient.writeContract({
        account: getAddress(devAccounts[1]!),
        address: node.manifest.contracts.KeyRegistry.address,
        abi: keyRegistryAbi,
        functionName: "revoke",
        args: [doomed.keyId as Hex, "leaked during the outage"],
      });
      await publicClient.waitForTransactionReceipt({ hash });
      const outageEnd = performance.now() + 1_500;
      while (performance.now() < outageEnd) {
        during.push(verdict(await verifyFresh(verifier, stays)), verdict(await verifyFresh(verifier, doomed)));
        await sleep(20);
      }
      const request = await signed(stays);
      const answer = await fetch(`${api.url}/v1/prices`, { headers: request.headers as [string, string][] });
      const body = (await answer.json()) as { error: string };
      const health = await fetch(`${api.url}/healthz`);
      expect(during.every((v) => v === "stale-chain-state")).toBe(true);
      expect([answer.status, body.error, health.status]).toEqual([503, "stale-chain-state", 503]);

      await proxy.start();
      const back = performance.now();
      const outageMs = back - cut;
      const recovery = await until(() => verifyFresh(verifier, stays), (r) => r.ok);
      const recoveredAfterMs = performance.now() - back;
      expect(recovery.seen.slice(0, -1).every((r) => verdict(r) === "stale-chain-state")).toBe(true);
      const doomedAfter = verdict(await verifyFresh(verifier, doomed));
      expect(doomedAfter).toBe("key-revoked");
      const acceptedBeforeStale = toStale.seen.filter((r) => r.ok).length;
      lines.push(
        `RPC outage (TCP proxy in front of the same chain cut for ${(outageMs / 1000).toFixed(1)} s, maxStalenessSeconds ${maxStalenessSeconds}): ` +
          `first stale-chain-state ${Math.round(staleAfterMs)} ms after the cut (${acceptedBeforeStale} requests accepted before, inside the staleness bound); ` +
          `${count(during.length)} requests after it, 0 accepted; API 503 stale-chain-state, /healthz 503; ` +
          `recovered by itself ${Math.round(recoveredAfterMs)} ms after the endpoint came back; the key revoked during the outage: ${doomedAfter}`,
      );
      data.rpcOutage = { outageMs: Math.round(outageMs), staleAfterMs: Math.round(staleAfterMs), duringOutage: during.length, acceptedAfterStale: 0, recoveredAfterMs: Math.round(recoveredAfterMs), revokedDuringOutage: doomedAfter };
    } finally {
      await api.close();
    }
  });

  it("a node replaced by a fresh chain (same port, same addresses) keeps the verifier closed", async () => {
    const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: proxy.url, pollingIntervalMs: 100, maxStalenessSeconds: 1 });
    resolvers.push(resolver);
    const verifier = createVerifier({ keys: resolver });
    await resolver.ready();
    const { key } = await register(3);
    await resolver.sync();
    expect(verdict(await verifyFresh(verifier, key))).toBe("accepted");

    await node.stop();
    await until(() => verifyFresh(verifier, key), (r) => verdict(r) === "stale-chain-state");
    const dir = mkdtempSync(join(tmpdir(), "keyledger-replacement-"));
    const replacement = await startHardhatNode({ port: node.port, logFile: join(dir, "node.log") });
    try {
      // The same deployer and nonces give the same contract addresses on the new chain.
      const redeployed = await deploy({ rpcUrl: replacement.rpcUrl, manifestPath: join(dir, "31337.json"), expectedChainId: 31337 });
      expect(redeployed.contracts.KeyRegistry.address).toBe(node.manifest.contracts.KeyRegistry.address);
      const watched: string[] = [];
      const end = performance.now() + 2_000;
      while (performance.now() < end) {
        watched.push(verdict(await verifyFresh(verifier, key)));
        await sleep(50);
      }
      expect(new Set(watched)).toEqual(new Set(["stale-chain-state"]));
      expect(resolver.status().error).toMatch(/deployment block|chain/);
      lines.push(
        `RPC node killed and replaced by a fresh chain on the same port with the registry redeployed at the same address: ` +
          `${count(watched.length)} requests over 2 s, all stale-chain-state ("${resolver.status().error}"); it needs the new manifest, never trusts the new chain`,
      );
      data.nodeReplaced = { requests: watched.length, allStale: true, error: resolver.status().error };
    } finally {
      await replacement.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------

type Shot = { sentAt: number; doneAt: number; status: number; error: string | undefined; replay: boolean };

describe.skipIf(redisSkipReason !== undefined)("nonce store faults with a real Redis", () => {
  it("Redis killed mid-load: 503 nonce-store-unavailable during the outage, never an acceptance, recovery, replays still caught", async () => {
    let redis = await startPersistentRedis();
    const key = await generateKey({ label: "load" });
    const store = redisNonceStore({ url: redis.url });
    await store.ready();
    const verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: ["read"] } }), nonces: store });
    const api = await createApiServer({ verifier });
    const shots: Shot[] = [];
    const accepted: { headers: [string, string][]; at: number }[] = [];
    let stop = false;
    const shoot = async (headers: [string, string][], replay: boolean) => {
      const sentAt = performance.now();
      const response = await fetch(`${api.url}/v1/prices`, { headers });
      const body = (await response.json()) as { error?: string };
      const shot = { sentAt, doneAt: performance.now(), status: response.status, error: body.error, replay };
      shots.push(shot);
      return shot;
    };
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        if (i % 4 === 3 && accepted.length) {
          await shoot(accepted[(i * 7 + w) % accepted.length]!.headers, true);
          continue;
        }
        const request = await signRequest({ method: "GET", url: `${api.url}/v1/prices`, headers: [] as [string, string][] }, { key, nonce: `w${w}-${i}` });
        const headers = request.headers as [string, string][];
        const shot = await shoot(headers, false);
        if (shot.status === 200) accepted.push({ headers, at: shot.doneAt });
      }
    };
    try {
      const workers = Array.from({ length: 12 }, (_, w) => worker(w));
      await sleep(800);
      const killAt = performance.now();
      await redis.stop("SIGKILL");
      const downAt = performance.now();
      await sleep(1_200);
      const restartAt = performance.now();
      redis = await startPersistentRedis({ port: redis.port, dir: redis.dir });
      const upAt = performance.now();
      await until(async () => shots.some((s) => !s.replay && s.status === 200 && s.sentAt > upAt), Boolean);
      await sleep(400);
      stop = true;
      await Promise.all(workers);

      const before = shots.filter((s) => s.doneAt < killAt);
      const outage = shots.filter((s) => s.sentAt >= downAt && s.doneAt <= restartAt);
      const after = shots.filter((s) => s.sentAt >= upAt);
      const firstBack = Math.min(...after.filter((s) => s.status === 200).map((s) => s.doneAt));
      const label = (s: Shot) => `${s.status}${s.error ? ` ${s.error}` : ""}`;
      // Every answer is one of these; a replay is never accepted, in any phase.
      expect(shots.map(label).filter((l) => !["200", "401 replayed-nonce", "503 nonce-store-unavailable"].includes(l))).toEqual([]);
      expect(shots.filter((s) => s.replay && s.status === 200)).toEqual([]);
      expect(outage.length).toBeGreaterThan(0);
      expect(new Set(outage.map(label))).toEqual(new Set(["503 nonce-store-unavailable"]));
      // Requests accepted before the crash are still replays afterwards (the AOF kept them).
      const preCrash = accepted.filter((a) => a.at < killAt).slice(0, 200);
      const replayed = await Promise.all(preCrash.map((a) => shoot(a.headers, true)));
      expect(new Set(replayed.map(label))).toEqual(new Set(["401 replayed-nonce"]));

      const fresh = shots.filter((s) => !s.replay);
      lines.push(
        `Redis killed (SIGKILL) under load (12 clients, ${count(shots.length)} requests): before ${count(before.length)} answers (${count(before.filter((s) => s.status === 200).length)} accepted); ` +
          `outage ${((restartAt - downAt) / 1000).toFixed(1)} s, ${count(outage.length)} requests, all 503 nonce-store-unavailable, 0 accepted; ` +
          `first acceptance ${Math.round(firstBack - upAt)} ms after Redis was back; ${count(shots.filter((s) => s.replay).length)} replays, 0 accepted; ` +
          `${preCrash.length} requests accepted before the crash replayed after it: all 401 replayed-nonce (Redis with appendfsync always)`,
      );
      data.redisKilled = {
        requests: shots.length,
        fresh: fresh.length,
        outageRequests: outage.length,
        outageAccepted: 0,
        recoveredAfterMs: Math.round(firstBack - upAt),
        replaysAccepted: 0,
        preCrashReplaysRejected: preCrash.length,
      };
    } finally {
      stop = true;
      await api.close();
      await verifier.close();
      await redis.stop();
      redis.remove();
    }
  });

  it("a Redis restarted without persistence forgets its nonces (documented limit: run it with an append-only file)", async () => {
    let redis = await startRedis();
    const key = await generateKey({ label: "volatile" });
    const store = redisNonceStore({ url: redis.url });
    await store.ready();
    const verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey } }), nonces: store });
    try {
      const request = await signed(key);
      const input = { method: "GET", url: request.url as string, headers: request.headers as [string, string][] };
      expect(verdict(await verifier.verify(input))).toBe("accepted");
      expect(verdict(await verifier.verify(input))).toBe("replayed-nonce");
      await redis.stop({ signal: "SIGKILL" });
      expect(verdict(await verifier.verify(input))).toBe("nonce-store-unavailable");
      redis = await startRedis({ port: redis.port });
      await until(() => verifyFresh(verifier, key), (r) => r.ok);
      // The replay inside its window is accepted again: the data is gone.
      const replay = verdict(await verifier.verify(input));
      expect(replay).toBe("accepted");
      lines.push(
        `documented limit: a Redis without persistence restarted inside the window forgets: the replay answered ${replay} (with appendfsync always, the test above: rejected)`,
      );
      data.redisVolatile = { replayAfterRestart: replay };
    } finally {
      await verifier.close();
      await redis.stop();
    }
  });

  it("verifier processes killed and restarted: with Redis a replay inside the window is still rejected, across processes too", async () => {
    const redis = await startRedis();
    const key = await generateKey({ label: "restart" });
    const origin = "https://api.keyledger.test";
    const children: ChildHandle[] = [];
    const start = async () => {
      const child = await startVerifierProcess({ key, origin, redisUrl: redis.url });
      children.push(child);
      return child;
    };
    const send = async (child: ChildHandle, headers: [string, string][]) => {
      const response = await fetch(`${child.url}/v1/prices`, { headers });
      return `${response.status} ${((await response.json()) as { error?: string }).error ?? "ok"}`;
    };
    try {
      const [first, second] = await Promise.all([start(), start()]);
      const request = (await signed(key, origin)).headers as [string, string][];
      const answers = [await send(first!, request), await send(second!, request)];
      await first!.stop("SIGKILL");
      const third = await start();
      answers.push(await send(third, request));
      await second!.stop("SIGKILL");
      const fourth = await start();
      answers.push(await send(fourth, request));
      const fresh = await send(fourth, (await signed(key, origin)).headers as [string, string][]);
      expect(answers).toEqual(["200 ok", "401 replayed-nonce", "401 replayed-nonce", "401 replayed-nonce"]);
      expect(fresh).toBe("200 ok");
      lines.push(
        `verifier processes on one Redis: a request accepted by process 1 was a replay for process 2; after SIGKILL and restart of both, still a replay (${answers.slice(2).join(", ")}); a fresh request: accepted`,
      );
      data.verifierRestartRedis = { answers };
    } finally {
      await Promise.all(children.map((c) => c.stop("SIGKILL")));
      await redis.stop();
    }
  });
});

describe("memory nonce store", () => {
  it("a restarted verifier process forgets its nonces (documented limit: a replay inside the window is accepted once more)", async () => {
    const key = await generateKey({ label: "memory" });
    const origin = "https://api.keyledger.test";
    let child = await startVerifierProcess({ key, origin });
    try {
      const request = (await signed(key, origin)).headers as [string, string][];
      const send = async () => {
        const response = await fetch(`${child.url}/v1/prices`, { headers: request });
        return `${response.status} ${((await response.json()) as { error?: string }).error ?? "ok"}`;
      };
      const answers = [await send(), await send()];
      await child.stop("SIGKILL");
      child = await startVerifierProcess({ key, origin });
      answers.push(await send(), await send());
      expect(answers).toEqual(["200 ok", "401 replayed-nonce", "200 ok", "401 replayed-nonce"]);
      lines.push(`documented limit (memory nonce store): before a restart ${answers.slice(0, 2).join(", ")}; after SIGKILL and restart the same request: ${answers.slice(2).join(", ")}`);
      data.memoryRestart = { answers };
    } finally {
      await child.stop("SIGKILL");
    }
  });
});
