import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestClient, getAddress, type Hex, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainKeyResolver, chainKeyResolver } from "../../src/chain/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, mine, startLocalNode } from "../helpers/localNode.ts";
import { registerKey } from "../helpers/registerKey.ts";

// A real `hardhat node`; every resolver here reads it through the public API only.
let node: LocalNode;
let dir: string;
const owner = getAddress(devAccounts[2]);
const resolvers: ChainKeyResolver[] = [];
let serial = 0;

beforeAll(async () => {
  node = await startLocalNode();
  dir = mkdtempSync(join(tmpdir(), "keyledger-checkpoint-"));
}, 120_000);

afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function start(checkpointPath: string) {
  const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, pollingIntervalMs: 60_000, checkpointPath });
  resolvers.push(resolver);
  return resolver;
}

function freshPath(): string {
  return join(dir, `index-${serial++}.ckpt`);
}

async function revoke(keyId: Hex) {
  const { walletClient, publicClient } = localClients(node.rpcUrl);
  const hash = await walletClient.writeContract({ account: owner, address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "revoke", args: [keyId, "checkpoint test"] });
  await publicClient.waitForTransactionReceipt({ hash });
}

/** A checkpoint file written on close by a resolver that indexed `keyId`. */
async function written(): Promise<{ path: string; keyId: Hex; block: number }> {
  const path = freshPath();
  const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label: "checkpointed" });
  const resolver = start(path);
  await resolver.ready();
  await resolver.close();
  const { checkpoint } = resolver.status();
  expect(checkpoint).toMatchObject({ path, error: undefined });
  return { path, keyId, block: checkpoint!.writtenBlock as number };
}

describe("chainKeyResolver checkpoints (checkpointPath)", () => {
  it("writes the index on close and starts from it, catching up with what happened since", async () => {
    const { path, keyId, block } = await written();
    const header = JSON.parse(readFileSync(path, "utf8").split("\n", 1)[0]!);
    expect(header).toMatchObject({ format: "keyledger-resolver-checkpoint", version: 3, chainId: 31337, blockNumber: block, revokedOwners: [], registry: node.manifest.contracts.KeyRegistry.address.toLowerCase() });
    expect(header.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    // Version 2 persists the live policy (issue 9): keys are judged against it after a restart.
    expect(header.policy).toEqual(node.manifest.policy);
    const later = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label: "after the checkpoint" });
    await revoke(keyId);

    const resolver = start(path);
    await resolver.ready();
    expect(resolver.status().checkpoint).toMatchObject({ loadedBlock: block, rejected: undefined });
    expect(await resolver.resolve(keyId)).toMatchObject({ status: "found", key: { state: "revoked", label: "checkpointed", proofOfPossession: "valid" } });
    expect(await resolver.resolve(later.keyId)).toMatchObject({ status: "found", key: { state: "active", label: "after the checkpoint", proofOfPossession: "valid" } });
    expect(resolver.status().blockNumber).toBeGreaterThan(block);
    // checkpoint() writes at once and reports the block it wrote.
    expect(await resolver.checkpoint()).toBe(resolver.status().blockNumber);
  });

  it("rebuilds from the deployment block when the checkpoint's block was reorged away", async () => {
    const test = createTestClient({ mode: "hardhat", transport: http(node.rpcUrl) });
    const snapshot = await test.snapshot();
    const { path, keyId, block } = await written();
    await test.revert({ id: snapshot });
    // Another history at the same heights: the checkpoint's block hash is gone.
    await mine(node.rpcUrl, 3);
    const resolver = start(path);
    await resolver.ready();
    expect(resolver.status().checkpoint).toMatchObject({ loadedBlock: undefined, rejected: expect.stringMatching(new RegExp(`block ${block} is 0x[0-9a-f]{64}, the node's is (0x[0-9a-f]{64}|missing) \\(reorged away`)) });
    // The key only existed on the abandoned branch: never served from the file.
    expect(await resolver.resolve(keyId)).toEqual({ status: "unknown" });
  });

  it("rejects a checkpoint ahead of the chain (a node reset to a shorter chain)", async () => {
    const test = createTestClient({ mode: "hardhat", transport: http(node.rpcUrl) });
    const snapshot = await test.snapshot();
    const { path, keyId, block } = await written();
    await test.revert({ id: snapshot });
    const resolver = start(path);
    await resolver.ready();
    expect(resolver.status().blockNumber).toBeLessThan(block);
    expect(resolver.status().checkpoint?.rejected).toMatch(`its block ${block} is ahead of the node's block`);
    expect(await resolver.resolve(keyId)).toEqual({ status: "unknown" });
  });

  const corruptions: [string, (file: Buffer) => Buffer, RegExp][] = [
    ["a flipped body byte", (f) => flip(f, f.indexOf(10) + 40), /SHA-256 does not match/],
    ["a truncated body", (f) => f.subarray(0, f.length - 7), /truncated/],
    ["another registry in the header", (f) => editHeader(f, (h) => ({ ...h, registry: "0x000000000000000000000000000000000000dead" })), /written for registry 0x0+dead/],
    ["another chain id in the header", (f) => editHeader(f, (h) => ({ ...h, chainId: 1 })), /written for chain 1, not chain 31337/],
    ["a newer format version", (f) => editHeader(f, (h) => ({ ...h, version: 4 })), /format version 4/],
    ["the version 2 format (registry v1)", (f) => editHeader(f, ({ revokedOwners: _, ...h }) => ({ ...h, version: 2 })), /format version 2, this resolver reads version 3 \(an older format, for registry v1/],
    ["malformed revoked owners", (f) => editHeader(f, (h) => ({ ...h, revokedOwners: ["not an address"] })), /revokedOwners must be a list of lower-case addresses/],
    ["a malformed policy", (f) => editHeader(f, (h) => ({ ...h, policy: { maxLifetime: -1 } })), /policy must be null or/],
    ["another deployment block hash", (f) => editHeader(f, (h) => ({ ...h, deploymentBlockHash: `0x${"11".repeat(32)}` })), /another chain/],
    ["not a checkpoint at all", () => Buffer.from("hello\n"), /header is not JSON/],
  ];
  for (const [what, corrupt, reason] of corruptions) {
    it(`never trusts a file with ${what}: rebuilds and says why`, async () => {
      const { path, keyId } = await written();
      writeFileSync(path, corrupt(readFileSync(path)));
      const resolver = start(path);
      await resolver.ready();
      const { checkpoint } = resolver.status();
      expect(checkpoint?.loadedBlock).toBeUndefined();
      expect(checkpoint?.rejected).toMatch(reason);
      // Rebuilt from the chain: the key is still there, and the next write replaces the bad file.
      expect(await resolver.resolve(keyId)).toMatchObject({ status: "found", key: { state: "active" } });
      await resolver.checkpoint();
      const again = start(path);
      await again.ready();
      expect(again.status().checkpoint).toMatchObject({ loadedBlock: resolver.status().blockNumber, rejected: undefined });
    });
  }

  it("a checkpoint of 0 keys is fine, and bad options are refused with what is wrong", async () => {
    expect(() => chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, checkpointPath: "" })).toThrow(/checkpointPath must be a file path/);
    expect(() => chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, checkpointIntervalSeconds: 0 })).toThrow(/checkpointIntervalSeconds must be > 0/);
    expect(() => chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, cacheSize: 0 })).toThrow(/cacheSize must be a whole number >= 1/);
    const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, pollingIntervalMs: 60_000 });
    resolvers.push(resolver);
    await expect(resolver.checkpoint()).rejects.toThrow(/no checkpointPath/);
  });
});

function flip(file: Buffer, at: number): Buffer {
  const copy = Buffer.from(file);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

function editHeader(file: Buffer, edit: (header: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const newline = file.indexOf(10);
  const header = edit(JSON.parse(file.subarray(0, newline).toString("utf8")));
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), file.subarray(newline + 1)]);
}
