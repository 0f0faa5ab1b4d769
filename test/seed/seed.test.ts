import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPublicClient, http, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainKeyResolver } from "../../src/chain/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { type LocalNode, startLocalNode } from "../helpers/localNode.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
let node: LocalNode;

beforeAll(async () => {
  node = await startLocalNode();
}, 120_000);

afterAll(async () => {
  await node?.stop();
});

function seed(args: string[]) {
  return promisify(execFile)(process.execPath, ["scripts/seed.ts", ...args], { cwd: root, timeout: 60_000 });
}

describe("npm run seed", () => {
  it("registers N keys with valid proofs of possession from several dev accounts, over many blocks", async () => {
    const { stdout } = await seed(["--keys", "30", "--per-block", "7", "--gap", "3", "--rpc", node.rpcUrl, "--manifest", node.manifestPath]);
    expect(stdout).toMatch(/registered 30 keys in blocks \d+–\d+/);
    const client = createPublicClient({ transport: http(node.rpcUrl) });
    const logs = parseEventLogs({
      abi: keyRegistryAbi,
      eventName: "KeyRegistered",
      logs: await client.getLogs({ address: node.manifest.contracts.KeyRegistry.address, fromBlock: BigInt(node.manifest.deploymentBlock) }),
    });
    expect(new Set(logs.map((l) => l.args.keyId)).size).toBe(30);
    // 30 keys at 7 per block: 5 blocks of registrations, 3 empty blocks after each.
    const blocks = [...new Set(logs.map((l) => Number(l.blockNumber)))];
    expect(blocks).toHaveLength(5);
    expect(blocks[1]! - blocks[0]!).toBe(4);
    expect(new Set(logs.map((l) => l.args.owner)).size).toBeGreaterThan(5);
    // Automine is back on: a plain transaction is mined at once.
    expect(await client.request({ method: "hardhat_getAutomine" } as never)).toBe(true);

    const resolver = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, pollingIntervalMs: 60_000 });
    try {
      await resolver.ready();
      for (const log of logs) {
        expect(await resolver.resolve(log.args.keyId)).toMatchObject({ status: "found", key: { state: "active", proofOfPossession: "valid", owner: log.args.owner } });
      }
    } finally {
      await resolver.close();
    }
  });

  it("refuses a missing or bad --keys with what is wrong", async () => {
    for (const args of [[], ["--keys", "0"], ["--keys", "ten"]]) {
      const failure = await seed([...args, "--rpc", node.rpcUrl]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(/--keys must be a whole number >= 1/);
    }
  });
});
