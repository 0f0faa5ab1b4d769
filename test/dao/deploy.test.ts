// The deploy module and its CLI against real `hardhat node` processes.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { type Address, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ArtifactsMissingError,
  DeployerUnavailableError,
  deploy,
  InvalidDeploymentParametersError,
  NodeUnreachableError,
  WrongChainError,
} from "../../scripts/deploy/index.ts";
import { contractNames, loadManifest } from "../../src/chain/manifest.ts";
import { keyLedgerTimelockAbi, keyLedgerTokenAbi, keyRegistryAbi } from "../../src/generated/abis.ts";
import { localClients } from "../helpers/clients.ts";
import { type BareLocalNode, devAccounts, mine, startLocalNode } from "../helpers/localNode.ts";

const root = join(import.meta.dirname, "../..");
const day = 86_400;
const scratch = mkdtempSync(join(tmpdir(), "keyledger-deploy-test-"));
const nodes: BareLocalNode[] = [];
// Most tests share one chain, each with its own manifest; those about restarts get their own.
let shared: BareLocalNode;
let manifests = 0;
const sharedNode = () => ({ rpcUrl: shared.rpcUrl, manifestPath: join(scratch, `manifest-${++manifests}.json`) });

beforeAll(async () => {
  shared = await startLocalNode({ deploy: false });
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});
afterAll(async () => {
  await shared?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function bareNode() {
  const node = await startLocalNode({ deploy: false });
  nodes.push(node);
  return node;
}

function addresses(manifest: { contracts: Record<string, { address: Address }> }) {
  return contractNames.map((name) => manifest.contracts[name]!.address);
}

describe("deploy()", () => {
  it("deploys with the local defaults and writes a manifest that loadManifest accepts", async () => {
    const node = sharedNode();
    const lines: string[] = [];
    const manifest = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, log: (l) => lines.push(l) });
    expect(loadManifest({ path: node.manifestPath })).toEqual(manifest);

    const { publicClient } = localClients(node.rpcUrl);
    const block = await publicClient.getBlock({ blockNumber: BigInt(manifest.deploymentBlock) });
    expect(manifest).toMatchObject({
      version: 1,
      chainId: 31337,
      deploymentBlockHash: block.hash,
      deployer: devAccounts[0],
      governance: { votingDelay: 1, votingPeriod: 300, quorumPercent: 4, timelockDelay: 60, proposalThreshold: "0" },
      policy: { maxLifetime: 365 * day, maxOverlap: 30 * day, allowedAlgorithms: 0b1110, allowedScopes: 0x0f },
      scopes: ["read", "trade", "withdraw", "admin"],
      guardians: [devAccounts[9]],
    });
    // The first deployment transaction's block: indexers that backfill from here miss nothing.
    const tokenCreation = await publicClient.getTransactionReceipt({ hash: block.transactions[0]! });
    expect(tokenCreation.contractAddress?.toLowerCase()).toBe(manifest.contracts.KeyLedgerToken.address.toLowerCase());
    expect(manifest.contracts.KeyRegistry.abi).toEqual(keyRegistryAbi);
    const registry = { address: manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi } as const;
    expect(await publicClient.readContract({ ...registry, functionName: "policy" })).toEqual(manifest.policy);
    for (const [bit, name] of manifest.scopes.entries()) {
      expect(await publicClient.readContract({ ...registry, functionName: "scopeName", args: [bit] })).toBe(name);
    }
    expect(lines.some((l) => l.startsWith("KeyRegistry"))).toBe(true);
  });

  it("reuses the deployment on a second run, and deploys afresh for other parameters or --force", async () => {
    const node = sharedNode();
    const { publicClient } = localClients(node.rpcUrl);
    const first = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath });
    const height = await publicClient.getBlockNumber();
    const lines: string[] = [];
    const again = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, log: (l) => lines.push(l) });
    expect(again).toEqual(first);
    expect(await publicClient.getBlockNumber()).toBe(height);
    expect(lines).toEqual([`Reusing the deployment in ${node.manifestPath} (block ${first.deploymentBlock}).`]);

    lines.length = 0;
    const longer = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, params: { votingPeriod: 600 }, log: (l) => lines.push(l) });
    expect(lines[0]).toBe("Deploying afresh: the parameters differ from the manifest's.");
    expect(longer.governance.votingPeriod).toBe(600);
    expect(addresses(longer)).not.toEqual(addresses(first));
    expect(loadManifest({ path: node.manifestPath })).toEqual(longer);

    const forced = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, params: { votingPeriod: 600 }, force: true });
    expect(addresses(forced)).not.toEqual(addresses(longer));
  });

  it("deploys afresh on a restarted chain, even where the same addresses hold the same code", async () => {
    const first = await bareNode();
    const old = await deploy({ rpcUrl: first.rpcUrl, manifestPath: first.manifestPath });
    const saved = join(scratch, "restart.json");
    copyFileSync(first.manifestPath, saved);
    await first.stop();

    // The new chain's deployer starts again at nonce 0, so a deployment lands at the very
    // same addresses; one empty block first puts it in another block than the manifest's.
    const second = await bareNode();
    await mine(second.rpcUrl);
    const lookalike = await deploy({ rpcUrl: second.rpcUrl, manifestPath: second.manifestPath });
    expect(addresses(lookalike)).toEqual(addresses(old));

    const lines: string[] = [];
    const fresh = await deploy({ rpcUrl: second.rpcUrl, manifestPath: saved, log: (l) => lines.push(l) });
    expect(lines[0]).toBe(`Deploying afresh: block ${old.deploymentBlock} differs from the manifest's (the chain was restarted).`);
    expect(addresses(fresh)).not.toEqual(addresses(old));
    expect(fresh.deploymentBlock).toBeGreaterThan(lookalike.deploymentBlock);

    // A chain that has not reached the manifest's block at all.
    const third = await bareNode();
    lines.length = 0;
    await deploy({ rpcUrl: third.rpcUrl, manifestPath: saved, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^Deploying afresh: (the chain has no block|no code at)/);
  });

  it("deploys afresh when a contract was recompiled with changes", async () => {
    const node = sharedNode();
    await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath });
    // An artifacts directory whose KeyRegistry runtime code differs in one byte of its metadata.
    const artifactsDir = join(scratch, "artifacts");
    for (const relative of [
      "contracts/KeyRegistry.sol/KeyRegistry.json",
      "contracts/governance/KeyLedgerToken.sol/KeyLedgerToken.json",
      "contracts/governance/KeyLedgerTimelock.sol/KeyLedgerTimelock.json",
      "contracts/governance/KeyLedgerGovernor.sol/KeyLedgerGovernor.json",
    ]) {
      mkdirSync(dirname(join(artifactsDir, relative)), { recursive: true });
      copyFileSync(join(root, "artifacts", relative), join(artifactsDir, relative));
    }
    const path = join(artifactsDir, "contracts/KeyRegistry.sol/KeyRegistry.json");
    const artifact = JSON.parse(readFileSync(path, "utf8"));
    artifact.deployedBytecode = `${artifact.deployedBytecode.slice(0, -2)}${artifact.deployedBytecode.endsWith("00") ? "01" : "00"}`;
    writeFileSync(path, JSON.stringify(artifact));
    const lines: string[] = [];
    await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, artifactsDir, log: (l) => lines.push(l) });
    expect(lines[0]).toBe("Deploying afresh: KeyRegistry was recompiled with changes.");
  });

  it("deploys from a key-holding account and delegates for the holders the node can sign for", async () => {
    const node = sharedNode();
    const { publicClient, walletClient } = localClients(node.rpcUrl);
    const deployer = privateKeyToAccount(generatePrivateKey());
    const outsider = privateKeyToAccount(generatePrivateKey()).address;
    await publicClient.waitForTransactionReceipt({
      hash: await walletClient.sendTransaction({ account: devAccounts[0], to: deployer.address, value: parseEther("10") }),
    });
    const lines: string[] = [];
    const manifest = await deploy({
      rpcUrl: node.rpcUrl,
      manifestPath: node.manifestPath,
      deployer,
      params: { tokenSupply: parseEther("3000"), holders: [devAccounts[1], outsider, deployer.address], guardians: [] },
      log: (l) => lines.push(l),
    });
    expect(manifest.deployer).toBe(deployer.address);
    expect(manifest.guardians).toEqual([]);
    const token = { address: manifest.contracts.KeyLedgerToken.address, abi: keyLedgerTokenAbi } as const;
    for (const holder of [devAccounts[1], outsider, deployer.address]) {
      expect(await publicClient.readContract({ ...token, functionName: "balanceOf", args: [holder] })).toBe(parseEther("1000"));
    }
    expect(await publicClient.readContract({ ...token, functionName: "getVotes", args: [devAccounts[1]] })).toBe(parseEther("1000"));
    expect(await publicClient.readContract({ ...token, functionName: "getVotes", args: [deployer.address] })).toBe(parseEther("1000"));
    expect(await publicClient.readContract({ ...token, functionName: "getVotes", args: [outsider] })).toBe(0n);
    expect(lines).toContain(`These holders must call delegate() themselves before they can vote: ${outsider}`);
    // The key-holding deployer gave up the timelock admin role too.
    const timelock = { address: manifest.contracts.KeyLedgerTimelock.address, abi: keyLedgerTimelockAbi } as const;
    expect(await publicClient.readContract({ ...timelock, functionName: "hasRole", args: [`0x${"00".repeat(32)}`, deployer.address] })).toBe(false);
  });

  it("fails with clear errors", async () => {
    const free = await freePort();
    await expect(deploy({ rpcUrl: `http://127.0.0.1:${free}` })).rejects.toThrow(NodeUnreachableError);
    await expect(deploy({ rpcUrl: `http://127.0.0.1:${free}` })).rejects.toThrow(`Cannot reach a JSON-RPC node at http://127.0.0.1:${free}.`);

    const node = sharedNode();
    const empty = mkdtempSync(join(scratch, "no-artifacts-"));
    const missing = deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, artifactsDir: empty });
    await expect(missing).rejects.toThrow(ArtifactsMissingError);
    await expect(deploy({ rpcUrl: node.rpcUrl, artifactsDir: empty })).rejects.toThrow(/run `npm run compile` first/);

    await expect(deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, expectedChainId: 1 })).rejects.toThrow(
      `The node at ${node.rpcUrl} is chain 31337, but --chain-id expects chain 1.`,
    );
    const foreign = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath });
    const elsewhere = join(scratch, "sepolia.json");
    writeFileSync(elsewhere, JSON.stringify({ ...foreign, chainId: 11155111 }));
    await expect(deploy({ rpcUrl: node.rpcUrl, manifestPath: elsewhere })).rejects.toThrow(WrongChainError);

    await expect(deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, accountIndex: 50 })).rejects.toThrow(DeployerUnavailableError);
    const invalid = deploy({
      rpcUrl: node.rpcUrl,
      manifestPath: node.manifestPath,
      params: { quorumPercent: 101, policy: { maxLifetime: 10, maxOverlap: 20 }, scopes: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] },
    });
    await expect(invalid).rejects.toThrow(InvalidDeploymentParametersError);
    await expect(invalid).rejects.toThrow(/quorumPercent must be an integer in 0..100, got 101[\s\S]*maxOverlap[\s\S]*at most 8 scopes/);
  });
});

describe("scripts/deploy.ts", () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [join(root, "scripts/deploy.ts"), ...args], { cwd: root, env: { ...process.env, ...env } });

  it("deploys, then reuses, printing the addresses", async () => {
    const node = sharedNode();
    const { stdout } = await cli(["--rpc", node.rpcUrl, "--manifest", node.manifestPath, "--json"], { KEYLEDGER_VOTING_PERIOD: "10m" });
    const summary = JSON.parse(stdout);
    expect(summary.governance.votingPeriod).toBe(600);
    expect(summary.contracts.KeyRegistry).toBe(loadManifest({ path: node.manifestPath }).contracts.KeyRegistry.address);

    const again = await cli(["--rpc", node.rpcUrl, "--manifest", node.manifestPath, "--voting-period", "600"]);
    expect(again.stderr).toContain("Reusing the deployment");
    expect(again.stdout).toContain(`KeyRegistry        ${summary.contracts.KeyRegistry}`);
  });

  it("explains bad input and an unreachable node with a message and exit code", async () => {
    const usage = await cli(["--quorum", "lots"]).catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--quorum: quorum must be an integer, got "lots"');
    const unknown = await cli(["--bogus"]).catch((e) => e);
    expect(unknown.code).toBe(2);
    const down = await cli(["--rpc", `http://127.0.0.1:${await freePort()}`]).catch((e) => e);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^Error: Cannot reach a JSON-RPC node at/);
    expect(down.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    const help = await cli(["--help"]);
    expect(help.stdout).toContain("KEYLEDGER_DEPLOYER_KEY");
  });
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
