import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  formatEther,
  getAddress,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  stringToHex,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  zeroAddress,
} from "viem";
import { contractNames, type ContractName, type DeploymentManifest, loadManifest } from "../../src/chain/manifest.ts";
import { codeMatchesArtifact } from "./codeMatchesArtifact.ts";
import { DeployerUnavailableError, DeploymentFailedError, NodeUnreachableError, WrongChainError } from "./errors.ts";
import { type LoadArtifactsReturnType, loadArtifacts } from "./loadArtifacts.ts";
import { type DeploymentParameters, type DeploymentParametersInput, localChainIds, resolveParameters } from "./parameters.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export type DeployParameters = {
  /** JSON-RPC endpoint of the chain to deploy to. */
  rpcUrl: string;
  /** Where the manifest is read from and written to; default `deployments/<chainId>.json`. */
  manifestPath?: string | undefined;
  /** A key-holding account (e.g. from KEYLEDGER_DEPLOYER_KEY). Default: the node's unlocked account `accountIndex`. */
  deployer?: LocalAccount | undefined;
  /** Which unlocked account deploys when `deployer` is absent; default 0. */
  accountIndex?: number | undefined;
  /** Overrides of the chain's default parameters (see `resolveParameters`). */
  params?: DeploymentParametersInput | undefined;
  /** Refuse to deploy unless the node reports this chain id. */
  expectedChainId?: number | undefined;
  /** Deploy afresh even when the manifest's deployment is still usable. */
  force?: boolean | undefined;
  /** Hardhat build output; default `artifacts/` of this repository. */
  artifactsDir?: string | undefined;
  /** Progress lines (never secrets). */
  log?: ((message: string) => void) | undefined;
};

export type DeployReturnType = DeploymentManifest;

/**
 * Deploys the token, timelock, governor and registry and writes the manifest.
 *
 * Idempotent: when the manifest at `manifestPath` describes a deployment that still
 * exists on this chain (same deployment block hash, the current artifacts' code at
 * every address, same parameters), it is returned unchanged and nothing is sent. A
 * restarted dev chain has a different block at that height, so it gets a fresh one.
 */
export async function deploy(parameters: DeployParameters): Promise<DeployReturnType> {
  const { rpcUrl, accountIndex = 0, force = false, log = () => {} } = parameters;
  const chainId = await probeChainId(rpcUrl);
  if (parameters.expectedChainId !== undefined && parameters.expectedChainId !== chainId) {
    throw new WrongChainError({ rpcUrl, expected: parameters.expectedChainId, actual: chainId, reason: "--chain-id expects" });
  }
  const manifestPath = resolve(parameters.manifestPath ?? join(root, "deployments", `${chainId}.json`));
  const artifacts = loadArtifacts({ artifactsDir: parameters.artifactsDir ?? join(root, "artifacts") });

  const local = localChainIds.includes(chainId);
  const chain = defineChain({
    id: chainId,
    name: local ? "KeyLedger local" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // Automining nodes answer at once; polling public chains every 50 ms would only burn RPC quota.
  const pollingInterval = local ? 50 : 2_000;
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval });
  const walletClient = createWalletClient({ chain, transport: http(rpcUrl), pollingInterval });

  // Public RPC providers unlock nothing and may not even answer eth_accounts.
  const unlocked = (await walletClient.getAddresses().catch(() => [])).map((a) => getAddress(a));
  let deployer: Account;
  if (parameters.deployer) deployer = parameters.deployer;
  else {
    const address = unlocked[accountIndex];
    if (!address) throw new DeployerUnavailableError({ rpcUrl, accountIndex, available: unlocked.length });
    deployer = { address, type: "json-rpc" };
  }
  const params = resolveParameters({ chainId, deployer: deployer.address, unlocked, overrides: parameters.params });

  if (existsSync(manifestPath)) {
    let existing: DeploymentManifest | undefined;
    try {
      existing = loadManifest({ path: manifestPath });
    } catch (error) {
      log(`Ignoring unusable manifest ${manifestPath}: ${(error as Error).message.split("\n")[0]}`);
    }
    if (existing && existing.chainId !== chainId) {
      throw new WrongChainError({ rpcUrl, expected: existing.chainId, actual: chainId, reason: `manifest ${manifestPath} belongs to` });
    }
    if (existing && !force) {
      const stale = await whyNotReusable({ client: publicClient, manifest: existing, artifacts, params });
      if (!stale) {
        log(`Reusing the deployment in ${manifestPath} (block ${existing.deploymentBlock}).`);
        return existing;
      }
      log(`Deploying afresh: ${stale}.`);
    }
  }

  const manifest = await deployContracts({ publicClient, walletClient, deployer, artifacts, params, unlocked, chainId, log });
  writeManifest(manifestPath, manifest);
  log(`Wrote ${manifestPath}.`);
  return manifest;
}

async function probeChainId(rpcUrl: string): Promise<number> {
  // No retries: a refused connection should fail in milliseconds with a clear message.
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) });
  try {
    return await probe.getChainId();
  } catch (cause) {
    throw new NodeUnreachableError({ rpcUrl, cause });
  }
}

type Clients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain>;
};

async function whyNotReusable({
  client,
  manifest,
  artifacts,
  params,
}: {
  client: PublicClient<Transport, Chain>;
  manifest: DeploymentManifest;
  artifacts: LoadArtifactsReturnType;
  params: DeploymentParameters;
}): Promise<string | undefined> {
  const block = await client.getBlock({ blockNumber: BigInt(manifest.deploymentBlock) }).catch(() => undefined);
  if (!block) return `the chain has no block ${manifest.deploymentBlock} (it was restarted)`;
  if (block.hash !== manifest.deploymentBlockHash) return `block ${manifest.deploymentBlock} differs from the manifest's (the chain was restarted)`;
  for (const name of contractNames) {
    const code = await client.getCode({ address: manifest.contracts[name].address });
    if (!code || code === "0x") return `no code at the ${name} address`;
    if (!codeMatchesArtifact({ code, artifact: artifacts[name] })) return `${name} was recompiled with changes`;
  }
  const wanted = manifestParameters(params);
  const had = { governance: manifest.governance, policy: manifest.policy, scopes: manifest.scopes, guardians: manifest.guardians };
  if (JSON.stringify(wanted) !== JSON.stringify(had)) return "the parameters differ from the manifest's";
  const supply = await client.readContract({
    address: manifest.contracts.KeyLedgerToken.address,
    abi: artifacts.KeyLedgerToken.abi,
    functionName: "totalSupply",
  });
  if (supply !== params.tokenSupply) return "the token supply differs";
  return undefined;
}

function manifestParameters(params: DeploymentParameters) {
  return {
    governance: {
      votingDelay: params.votingDelay,
      votingPeriod: params.votingPeriod,
      quorumPercent: params.quorumPercent,
      timelockDelay: params.timelockDelay,
      proposalThreshold: params.proposalThreshold.toString(),
    },
    policy: { ...params.policy },
    scopes: [...params.scopes],
    guardians: [...params.guardians],
  };
}

async function deployContracts({
  publicClient,
  walletClient,
  deployer,
  artifacts,
  params,
  unlocked,
  chainId,
  log,
}: Clients & {
  deployer: Account;
  artifacts: LoadArtifactsReturnType;
  params: DeploymentParameters;
  unlocked: readonly Address[];
  chainId: number;
  log: (message: string) => void;
}): Promise<DeploymentManifest> {
  const send = async (step: string, submit: () => Promise<Hex>): Promise<TransactionReceipt> => {
    let hash: Hex | undefined;
    try {
      hash = await submit();
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error("the transaction reverted");
      return receipt;
    } catch (cause) {
      throw new DeploymentFailedError({ step, hash, cause });
    }
  };
  const create = async (name: ContractName, args: readonly unknown[]) => {
    const { abi, bytecode } = artifacts[name];
    const receipt = await send(`deploy ${name}`, () => walletClient.deployContract({ abi, bytecode, args, account: deployer }));
    if (!receipt.contractAddress) throw new DeploymentFailedError({ step: `deploy ${name}`, hash: receipt.transactionHash });
    const address = getAddress(receipt.contractAddress);
    log(`${name.padEnd(18)} ${address}`);
    return { address, receipt };
  };
  const call = (step: string, address: Address, abi: Abi, functionName: string, args: readonly unknown[], account: Account = deployer) =>
    send(step, () => walletClient.writeContract({ address, abi, functionName, args, account }));

  log(`Deploying from ${deployer.address} to chain ${chainId}...`);
  const token = await create("KeyLedgerToken", [deployer.address, params.tokenSupply]);
  // The deployer is the timelock's admin only until the governor holds its roles.
  const timelock = await create("KeyLedgerTimelock", [BigInt(params.timelockDelay), [], [zeroAddress], deployer.address]);
  const governor = await create("KeyLedgerGovernor", [
    token.address,
    timelock.address,
    params.votingDelay,
    params.votingPeriod,
    params.proposalThreshold,
    BigInt(params.quorumPercent),
  ]);
  const timelockAbi = artifacts.KeyLedgerTimelock.abi;
  for (const role of ["PROPOSER_ROLE", "CANCELLER_ROLE"]) {
    await call(`grant ${role} to the governor`, timelock.address, timelockAbi, "grantRole", [keccak256(stringToHex(role)), governor.address]);
  }
  const adminRole = `0x${"00".repeat(32)}` as const;
  await call("renounce the timelock admin role", timelock.address, timelockAbi, "renounceRole", [adminRole, deployer.address]);
  const registry = await create("KeyRegistry", [timelock.address, params.policy, params.scopes, params.guardians]);

  await distribute({ token: token.address, tokenAbi: artifacts.KeyLedgerToken.abi, deployer, params, unlocked, publicClient, call, log });

  const deploymentBlock = token.receipt.blockNumber;
  return {
    version: 1,
    chainId,
    deploymentBlock: Number(deploymentBlock),
    deploymentBlockHash: token.receipt.blockHash,
    deployedAt: new Date().toISOString(),
    deployer: deployer.address,
    contracts: {
      KeyRegistry: { address: registry.address, abi: artifacts.KeyRegistry.abi },
      KeyLedgerToken: { address: token.address, abi: artifacts.KeyLedgerToken.abi },
      KeyLedgerTimelock: { address: timelock.address, abi: artifacts.KeyLedgerTimelock.abi },
      KeyLedgerGovernor: { address: governor.address, abi: artifacts.KeyLedgerGovernor.abi },
    },
    ...manifestParameters(params),
  };
}

/**
 * Hands out the supply as `params.distribution` says and lets every holder the node
 * can sign for delegate to itself: undelegated tokens carry no votes, and a DAO
 * without votes could never pass a proposal. Then logs who holds what, read back from
 * the token, so the operator sees the real balances and votes.
 */
async function distribute({
  token,
  tokenAbi,
  deployer,
  params,
  unlocked,
  publicClient,
  call,
  log,
}: {
  token: Address;
  tokenAbi: Abi;
  deployer: Account;
  params: DeploymentParameters;
  unlocked: readonly Address[];
  publicClient: PublicClient<Transport, Chain>;
  call: (step: string, address: Address, abi: Abi, functionName: string, args: readonly unknown[], account?: Account) => Promise<TransactionReceipt>;
  log: (message: string) => void;
}): Promise<void> {
  for (const { holder, amount } of params.distribution) {
    if (holder !== deployer.address) await call(`transfer KLG to ${holder}`, token, tokenAbi, "transfer", [holder, amount]);
  }
  const cannotSign: Address[] = [];
  for (const holder of params.holders) {
    const account: Account | undefined =
      holder === deployer.address ? deployer : unlocked.includes(holder) ? { address: holder, type: "json-rpc" } : undefined;
    if (account) await call(`self-delegate ${holder}`, token, tokenAbi, "delegate", [holder], account);
    else cannotSign.push(holder);
  }
  log(`KLG: ${params.holders.length} holder(s), ${params.holders.length - cannotSign.length} delegated to themselves.`);
  if (cannotSign.length) log(`These holders must call delegate() themselves before they can vote: ${cannotSign.join(", ")}`);
  const accounts = params.holders.includes(deployer.address) ? params.holders : [...params.holders, deployer.address];
  log("KLG holdings (balance, share of the supply, votes):");
  for (const account of accounts) {
    const read = (functionName: string) => publicClient.readContract({ address: token, abi: tokenAbi, functionName, args: [account] }) as Promise<bigint>;
    const [balance, votes] = await Promise.all([read("balanceOf"), read("getVotes")]);
    const share = Number((balance * 10_000n) / params.tokenSupply) / 100;
    log(`  ${account} ${formatEther(balance)} KLG (${share.toFixed(2)}%), votes ${formatEther(votes)}${account === deployer.address ? " (deployer)" : ""}`);
  }
}

function writeManifest(path: string, manifest: DeploymentManifest): void {
  mkdirSync(dirname(path), { recursive: true });
  // Readers (the API, the dApp's dev server) may load the file at any moment: never let them see half of it.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, path);
}
