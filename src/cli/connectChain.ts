import { resolve } from "node:path";
import { type Address, type Chain, createPublicClient, defineChain, http, type PublicClient } from "viem";
import { type DeploymentManifest, InvalidManifestError, loadManifest } from "../chain/manifest.ts";
import { CliError } from "./CliError.ts";
import { readDevStack } from "./devStack.ts";
import type { CommandValues } from "./command.ts";
import { exitCodes } from "./exitCodes.ts";
import { explainError } from "./explainError.ts";

export type ChainContext = {
  rpcUrl: string;
  chain: Chain;
  client: PublicClient;
  manifest: DeploymentManifest;
  manifestPath: string;
  registry: Address;
  governor: Address;
  token: Address;
  timelock: Address;
};

const devChainIds = [31337, 1337];

/**
 * --rpc, else $KEYLEDGER_RPC_URL, else the running dev stack's node (`npm start` writes
 * .keyledger/dev-stack.json, also when a busy port moved it off 8545), else 127.0.0.1:8545.
 */
export function rpcUrlOf(values: CommandValues): string {
  return chainSource(values).rpcUrl;
}

function chainSource(values: CommandValues): { rpcUrl: string; devStackManifest?: string | undefined } {
  const flag = values.rpc;
  if (typeof flag === "string" && flag) return { rpcUrl: flag };
  if (process.env.KEYLEDGER_RPC_URL) return { rpcUrl: process.env.KEYLEDGER_RPC_URL };
  const stack = readDevStack();
  if (stack) return { rpcUrl: stack.rpcUrl, devStackManifest: stack.manifestPath };
  return { rpcUrl: "http://127.0.0.1:8545" };
}

/**
 * Connects to the RPC node and loads the deployment manifest of its chain, and
 * checks that the manifest describes this very chain (a restarted dev node has
 * the same chain id but none of the contracts).
 */
export async function connectChain({ values }: { values: CommandValues }): Promise<ChainContext> {
  const { rpcUrl, devStackManifest } = chainSource(values);
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (error) {
    throw explainError(error, { rpcUrl });
  }
  const flag = values.manifest;
  const manifestPath = resolve(typeof flag === "string" && flag ? flag : process.env.KEYLEDGER_MANIFEST || devStackManifest || `deployments/${chainId}.json`);
  let manifest: DeploymentManifest;
  try {
    manifest = loadManifest({ path: manifestPath });
  } catch (error) {
    if (error instanceof InvalidManifestError) {
      throw new CliError(error.shortMessage, { exitCode: exitCodes.network, code: "manifest", metaMessages: error.metaMessages });
    }
    throw error;
  }
  if (manifest.chainId !== chainId) {
    throw new CliError(`The manifest ${manifestPath} is for chain ${manifest.chainId}, but ${rpcUrl} is chain ${chainId}.`, {
      exitCode: exitCodes.network,
      code: "manifest",
    });
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // viem polls receipts every 4 s by default; an automining dev node answers at once.
  const pollingInterval = devChainIds.includes(chainId) ? 50 : 1_000;
  const client = createPublicClient({ chain, pollingInterval, transport: http(rpcUrl, { retryCount: 1, timeout: 30_000 }) });
  const registry = manifest.contracts.KeyRegistry.address;
  try {
    const [block, code] = await Promise.all([
      client.getBlock({ blockNumber: BigInt(manifest.deploymentBlock) }).catch(() => null),
      client.getCode({ address: registry }),
    ]);
    if (!code || code === "0x" || block?.hash !== manifest.deploymentBlockHash) {
      throw new CliError(`The manifest ${manifestPath} does not match the chain at ${rpcUrl}: no registry at ${registry} from block ${manifest.deploymentBlock}.`, {
        exitCode: exitCodes.network,
        code: "manifest",
        metaMessages: ["The node was probably restarted: redeploy (`npm start` does) or pass the right --manifest."],
      });
    }
  } catch (error) {
    throw explainError(error, { rpcUrl });
  }
  return {
    rpcUrl,
    chain,
    client,
    manifest,
    manifestPath,
    registry,
    governor: manifest.contracts.KeyLedgerGovernor.address,
    token: manifest.contracts.KeyLedgerToken.address,
    timelock: manifest.contracts.KeyLedgerTimelock.address,
  };
}

/** The chain's clock: the latest block's timestamp, in unix seconds. */
export async function chainNow(context: ChainContext): Promise<number> {
  try {
    return Number((await context.client.getBlock({ blockTag: "latest" })).timestamp);
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}
