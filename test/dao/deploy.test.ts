// The deploy module and its CLI against real `hardhat node` processes.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { type Address, getAddress, type Hex, parseEther, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ArtifactsMissingError,
  DeployerUnavailableError,
  deploy,
  InvalidDeploymentParametersError,
  NodeUnreachableError,
  resolveParameters,
  UnsafeDistributionError,
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

describe("timelock roles", () => {
  it("rebuilt from RoleGranted/RoleRevoked: the governor alone proposes and cancels, anyone executes, the deployer holds no admin", async () => {
    const node = sharedNode();
    const manifest = await deploy({ rpcUrl: node.rpcUrl, manifestPath: node.manifestPath });
    const { publicClient } = localClients(node.rpcUrl);
    const timelock = { address: manifest.contracts.KeyLedgerTimelock.address, abi: keyLedgerTimelockAbi } as const;
    const events = await publicClient.getContractEvents({ ...timelock, fromBlock: BigInt(manifest.deploymentBlock), toBlock: "latest" });
    const holders = new Map<Hex, Set<Address>>();
    // Replayed in chain order, so a grant followed by a revoke (or renounce) leaves no holder.
    for (const event of events) {
      if (event.eventName !== "RoleGranted" && event.eventName !== "RoleRevoked") continue;
      const { role, account } = event.args as { role: Hex; account: Address };
      const set = holders.get(role) ?? new Set<Address>();
      if (event.eventName === "RoleGranted") set.add(getAddress(account));
      else set.delete(getAddress(account));
      holders.set(role, set);
    }
    const role = async (name: "PROPOSER_ROLE" | "CANCELLER_ROLE" | "EXECUTOR_ROLE" | "DEFAULT_ADMIN_ROLE") =>
      [...(holders.get(await publicClient.readContract({ ...timelock, functionName: name })) ?? [])].sort();
    expect(await role("PROPOSER_ROLE")).toEqual([manifest.contracts.KeyLedgerGovernor.address]);
    expect(await role("CANCELLER_ROLE")).toEqual([manifest.contracts.KeyLedgerGovernor.address]);
    // The zero address holding EXECUTOR_ROLE opens execution to anyone (OpenZeppelin's onlyRoleOrOpenRole).
    expect(await role("EXECUTOR_ROLE")).toEqual([zeroAddress]);
    // Only the timelock administers itself: role changes need a DAO proposal.
    expect(await role("DEFAULT_ADMIN_ROLE")).toEqual([timelock.address]);
    expect([...holders.values()].some((set) => set.has(devAccounts[0]))).toBe(false);
    // The events agree with the contract's own view.
    for (const [roleId, set] of holders) {
      for (const account of [...set, devAccounts[0]]) {
        expect(await publicClient.readContract({ ...timelock, functionName: "hasRole", args: [roleId, account] })).toBe(set.has(account));
      }
    }
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

// A public chain as the deploy code sees it: a real Hardhat node behind a proxy that reports
// Sepolia's chain id (and drops the chain id from eth_sendTransaction, which the node would refuse).
const sepolia = 11_155_111;
async function publicChainProxy(target: string): Promise<{ rpcUrl: string; close(): Promise<void> }> {
  const rewrite = (call: { id?: unknown; method?: string; params?: unknown[] }) => {
    if (call.method === "eth_sendTransaction" && call.params?.[0] && typeof call.params[0] === "object") delete (call.params[0] as { chainId?: unknown }).chainId;
    return call;
  };
  const server: Server = createHttpServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const parsed = JSON.parse(body);
    const calls = (Array.isArray(parsed) ? parsed : [parsed]).map(rewrite);
    const answers = await Promise.all(
      calls.map(async (call) =>
        call.method === "eth_chainId"
          ? { jsonrpc: "2.0", id: call.id, result: `0x${sepolia.toString(16)}` }
          : (await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) })).json(),
      ),
    );
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return { rpcUrl: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) };
}

describe("token distribution on a non-local chain", () => {
  let proxy: Awaited<ReturnType<typeof publicChainProxy>>;
  beforeAll(async () => {
    proxy = await publicChainProxy(shared.rpcUrl);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  const path = () => join(scratch, `public-${++manifests}.json`);
  const token = (manifest: { contracts: { KeyLedgerToken: { address: Address } } }) =>
    ({ address: manifest.contracts.KeyLedgerToken.address, abi: keyLedgerTokenAbi }) as const;

  it("refuses the default (deployer holds 100%) and a one-holder list, before sending anything", async () => {
    const { publicClient } = localClients(shared.rpcUrl);
    const height = await publicClient.getBlockNumber();
    const refused = deploy({ rpcUrl: proxy.rpcUrl, manifestPath: path() });
    await expect(refused).rejects.toThrow(UnsafeDistributionError);
    await expect(refused).rejects.toThrow(`Refusing to deploy to chain ${sepolia} without an explicit token distribution`);
    const alone = deploy({ rpcUrl: proxy.rpcUrl, manifestPath: path(), params: { holders: [devAccounts[3]] } });
    await expect(alone).rejects.toThrow(`with a single token holder (${devAccounts[3]})`);
    expect(await publicClient.getBlockNumber()).toBe(height);
    // The local chains keep their dev defaults.
    for (const chainId of [31337, 1337]) {
      expect(resolveParameters({ chainId, deployer: devAccounts[0], unlocked: devAccounts }).holders).toEqual(devAccounts.slice(0, 5));
    }
    const bothWays = () =>
      resolveParameters({ chainId: sepolia, deployer: devAccounts[0], unlocked: [], overrides: { holders: [devAccounts[1]], distribution: [] } });
    expect(bothWays).toThrow(InvalidDeploymentParametersError);
  });

  it("deploys with --single-holder, the deployer holding everything, and says so", async () => {
    const lines: string[] = [];
    const manifest = await deploy({ rpcUrl: proxy.rpcUrl, manifestPath: path(), params: { singleHolder: true }, log: (l) => lines.push(l) });
    expect(manifest.chainId).toBe(sepolia);
    expect(manifest.governance.votingPeriod).toBe(7 * day); // the public defaults
    const { publicClient } = localClients(shared.rpcUrl);
    expect(await publicClient.readContract({ ...token(manifest), functionName: "balanceOf", args: [devAccounts[0]] })).toBe(parseEther("1000000"));
    expect(lines).toContain(`  ${devAccounts[0]} 1000000 KLG (100.00%), votes 1000000 (deployer)`);
  });

  it("deploys an explicit --distribution FILE through the CLI and prints who holds what", async () => {
    const file = join(scratch, "distribution.json");
    writeFileSync(file, JSON.stringify({ [devAccounts[1].toLowerCase()]: "600000", [devAccounts[2]]: "399999.5" }));
    const manifestPath = path();
    const cli = promisify(execFile)(process.execPath, [join(root, "scripts/deploy.ts"), "--rpc", proxy.rpcUrl, "--manifest", manifestPath, "--distribution", file], {
      cwd: root,
    });
    const { stderr } = await cli;
    const manifest = loadManifest({ path: manifestPath });
    const { publicClient } = localClients(shared.rpcUrl);
    const balance = (holder: Address) => publicClient.readContract({ ...token(manifest), functionName: "balanceOf", args: [holder] });
    expect(await balance(devAccounts[1])).toBe(parseEther("600000"));
    expect(await balance(devAccounts[2])).toBe(parseEther("399999.5"));
    expect(await balance(devAccounts[0])).toBe(0n);
    expect(await publicClient.readContract({ ...token(manifest), functionName: "totalSupply" })).toBe(parseEther("999999.5"));
    expect(stderr).toContain(`  ${devAccounts[1]} 600000 KLG (60.00%), votes 600000`);
    expect(stderr).toContain(`  ${devAccounts[0]} 0 KLG (0.00%), votes 0 (deployer)`);

    const refused = await promisify(execFile)(process.execPath, [join(root, "scripts/deploy.ts"), "--rpc", proxy.rpcUrl, "--manifest", path()], { cwd: root }).catch(
      (e) => e,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--single-holder");
    const broken = await promisify(execFile)(process.execPath, [join(root, "scripts/deploy.ts"), "--rpc", proxy.rpcUrl, "--distribution", join(scratch, "none.json")], {
      cwd: root,
    }).catch((e) => e);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("--distribution: cannot read");
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
