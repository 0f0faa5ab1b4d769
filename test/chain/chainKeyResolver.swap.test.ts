import { createTestClient, getAddress, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploy } from "../../scripts/deploy/index.ts";
import { type ChainKeyResolver, chainKeyResolver } from "../../src/chain/index.ts";
import { type BareLocalNode, devAccounts, type LocalNode, mine, startLocalNode } from "../helpers/localNode.ts";
import { registerKey } from "../helpers/registerKey.ts";
import { type RpcProxy, startRpcProxy } from "./rpcProxy.ts";

// Two real chains behind one JSON-RPC relay: the resolver indexes chain A, then the
// relay moves it to chain B (a fresh node with the registry redeployed at the same
// address), as a restarted node or a load balancer would. B never saw the key.
let a: LocalNode;
let b: BareLocalNode;
let proxy: RpcProxy;
const resolvers: ChainKeyResolver[] = [];
const owner = getAddress(devAccounts[1]);

beforeAll(async () => {
  [a, b] = await Promise.all([startLocalNode(), startLocalNode({ deploy: false })]);
  proxy = await startRpcProxy({ target: a.rpcUrl });
}, 120_000);

afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await proxy?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

/** A resolver on chain A that has indexed a freshly registered key (polling is slow, so the test drives syncs). */
async function indexedOnA() {
  proxy.target = a.rpcUrl;
  proxy.onRequest = undefined;
  const { keyId } = await registerKey({ rpcUrl: a.rpcUrl, manifest: a.manifest, owner });
  const resolver = chainKeyResolver({ manifest: a.manifest, rpcUrl: proxy.url, pollingIntervalMs: 60_000, maxStalenessSeconds: 60 });
  resolvers.push(resolver);
  await resolver.ready();
  await resolver.sync();
  expect(resolver.resolve(keyId)).toMatchObject({ status: "found", key: { state: "active" } });
  return { resolver, keyId };
}

describe("chainKeyResolver when the node behind its URL is replaced by another chain", () => {
  it("a fresh chain still below the deployment block fails closed at once, not after the staleness bound", async () => {
    const { resolver, keyId } = await indexedOnA();
    proxy.target = b.rpcUrl;
    await resolver.sync().catch(() => {});
    expect(await resolver.resolve(keyId)).toMatchObject({ status: "stale" });
    expect(resolver.status()).toMatchObject({ stale: true, error: expect.stringMatching(/deployment block|chain/) });
  });

  it("a fresh chain LONGER than the indexed one, registry at the same address, fails closed at once", async () => {
    const later = Math.floor(Date.now() / 1_000) + 3_600;
    await createTestClient({ mode: "hardhat", transport: http(b.rpcUrl) }).setNextBlockTimestamp({ timestamp: BigInt(later) });
    const redeployed = await deploy({ rpcUrl: b.rpcUrl, manifestPath: b.manifestPath, expectedChainId: 31337 });
    expect(redeployed.contracts.KeyRegistry.address).toBe(a.manifest.contracts.KeyRegistry.address);
    // Another chain, not a fork of A: block 1 of two fresh nodes mined in the same second is
    // the same block (same hash), which is indistinguishable from A itself up to there.
    expect(redeployed.deploymentBlockHash).not.toBe(a.manifest.deploymentBlockHash);
    const { resolver, keyId } = await indexedOnA();
    const height = resolver.status().blockNumber as number;
    await mine(b.rpcUrl, height + 5);
    proxy.target = b.rpcUrl;
    await resolver.sync().catch(() => {});
    expect(await resolver.resolve(keyId)).toMatchObject({ status: "stale" });
    expect(resolver.status()).toMatchObject({ stale: true, error: expect.stringMatching(/deployment block|chain/) });
  });

  it("a swap between the head lookup and the log lookup of one sync is not counted as fresh", async () => {
    const { resolver, keyId } = await indexedOnA();
    await mine(a.rpcUrl, 3);
    await mine(b.rpcUrl, (resolver.status().blockNumber as number) + 20);
    // The head (and range end) come from A, the logs from B.
    proxy.onRequest = (request) => {
      if (request.method === "eth_getLogs") proxy.target = b.rpcUrl;
    };
    await resolver.sync().catch(() => {});
    expect(await resolver.resolve(keyId)).toMatchObject({ status: "stale" });
    expect(resolver.status().stale).toBe(true);
  });
});

describe("chainKeyResolver behind a provider that caps eth_getLogs ranges", () => {
  it("halves refused ranges, widens again on success, and indexes every key", async () => {
    proxy.target = a.rpcUrl;
    proxy.onRequest = undefined;
    const keys: `0x${string}`[] = [];
    for (let i = 0; i < 3; i++) {
      keys.push((await registerKey({ rpcUrl: a.rpcUrl, manifest: a.manifest, owner })).keyId);
      await mine(a.rpcUrl, 7);
    }
    const sizes: number[] = [];
    proxy.onRequest = (request) => {
      if (request.method !== "eth_getLogs") return;
      const { fromBlock, toBlock } = (request.params as [{ fromBlock: string; toBlock: string }])[0];
      const size = Number(BigInt(toBlock) - BigInt(fromBlock)) + 1;
      sizes.push(size);
      if (size > 4) return { code: -32602, message: "query exceeds max block range 4" };
    };
    const resolver = chainKeyResolver({ manifest: a.manifest, rpcUrl: proxy.url, pollingIntervalMs: 60_000, chunkSize: 64 });
    resolvers.push(resolver);
    await resolver.ready();
    for (const keyId of keys) expect(await resolver.resolve(keyId)).toMatchObject({ status: "found" });
    expect(sizes[0]).toBeGreaterThan(4);
    expect(sizes.filter((size) => size <= 4).length).toBeGreaterThan(1);
    expect(resolver.status().stale).toBe(false);
  });
});
