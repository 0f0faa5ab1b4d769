import { type Hex, createWalletClient, getAddress, http, toHex } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainKeyResolver, chainKeyResolver } from "../../src/chain/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, computeKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { startTcpProxy, type TcpProxy } from "./tcpProxy.ts";

let node: LocalNode;
let proxy: TcpProxy;
let resolver: ChainKeyResolver;
const owner = getAddress(devAccounts[1]);

/** Polls `probe` every 25 ms until it returns true, or fails after `ms`. */
async function until(probe: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function write(functionName: "register" | "revoke", args: readonly unknown[]) {
  const wallet = createWalletClient({ chain: hardhat, transport: http(node.rpcUrl), account: owner });
  const registry = node.manifest.contracts.KeyRegistry.address;
  return wallet.writeContract({ address: registry, abi: keyRegistryAbi, functionName, args } as never);
}

async function register(key: KeyFile) {
  const registry = node.manifest.contracts.KeyRegistry.address;
  const now = Math.floor(Date.now() / 1_000);
  await write("register", [
    {
      algorithm: algorithmToChain(key.alg),
      publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
      scopes: 1,
      notBefore: now - 60,
      expiresAt: now + 86_400,
      proof: await signProofOfPossession({ key, chainId: node.manifest.chainId, registry, owner }),
    },
    key.label,
  ]);
  // Ids are namespaced per owner: the key now goes by its registry id.
  key.keyId = computeKeyId({ publicKey: key.publicKey, owner });
}

beforeAll(async () => {
  node = await startLocalNode();
  proxy = await startTcpProxy({ targetPort: node.port });
  resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: proxy.url, pollingIntervalMs: 100, maxStalenessSeconds: 1 });
  await resolver.ready();
});

afterAll(async () => {
  await resolver?.close();
  await proxy?.stop().catch(() => {});
  await node?.stop();
});

describe("chainKeyResolver against a real hardhat node", () => {
  it("fails closed while the RPC endpoint is down, then catches up by itself, revocations first", async () => {
    const key = await generateKey({ label: "outage" });
    await register(key);
    await resolver.sync();
    expect(resolver.resolve(key.keyId)).toMatchObject({ status: "found", key: { state: "active", scopes: ["read"], proofOfPossession: "valid" } });

    await proxy.stop();
    await until(async () => (await resolver.resolve(key.keyId)).status === "stale");
    expect(resolver.status()).toMatchObject({ stale: true });
    // Revoked while the resolver cannot see the chain: it must never answer "active" again.
    await write("revoke", [key.keyId as Hex, "leaked during the outage"]);

    await proxy.start();
    const seen: string[] = [];
    await until(async () => {
      const result = await resolver.resolve(key.keyId);
      seen.push(result.status === "found" ? result.key.state : result.status);
      return result.status !== "stale";
    });
    expect(seen.at(-1)).toBe("revoked");
    expect(seen.filter((s) => s !== "stale" && s !== "revoked")).toEqual([]);
    expect(resolver.status()).toMatchObject({ stale: false, error: undefined });
  });

  it("answers stale for every key once the node itself is gone", async () => {
    const key = await generateKey({ label: "last" });
    await register(key);
    await resolver.sync();
    await node.stop();
    await until(async () => (await resolver.resolve(key.keyId)).status === "stale");
    expect(await resolver.resolve(key.keyId)).toMatchObject({ status: "stale", message: expect.stringMatching(/stale/) });
  });
});
