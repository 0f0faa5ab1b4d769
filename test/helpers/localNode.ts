import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, createTestClient, http } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { deploy, type DeployParameters } from "../../scripts/deploy/index.ts";
import { startHardhatNode } from "../../scripts/dev/startHardhatNode.ts";

/**
 * Hardhat's well-known dev accounts, unlocked on every `hardhat node`: send from
 * them with a JSON-RPC account (`account: devAccounts[i]`), no key needed. With the
 * local deployment, 0..4 hold 200,000 KLG each (self-delegated) and 9 is the guardian.
 */
export const devAccounts = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
  "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
  "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
  "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
  "0xBcd4042DE499D14e55001CcbB24a551F3b954096",
  "0x71bE63f3384f5fb98995898A86B02Fb2426c5788",
  "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a",
  "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec",
  "0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097",
  "0xcd3B766CCDd6AE721141F452C550Ca635964ce71",
  "0x2546BcD3c84621e976D8185a91A922aE77ECEc30",
  "0xbDA5747bFD65F08deb54cb465eB87D40e51B197E",
  "0xdD2FD4581271e230360230F9337D5c0430Bf44C0",
  "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199",
] as const satisfies readonly Address[];

export type StartLocalNodeParameters = {
  /** Deploy the contracts (default true); false gives a bare chain. */
  deploy?: boolean | undefined;
  /** Deployment parameter overrides (default: the local defaults). */
  params?: DeployParameters["params"];
};

export type BareLocalNode = {
  rpcUrl: string;
  port: number;
  /** Temporary directory of this node (node.log, the manifest); removed by `stop()`. */
  dir: string;
  /** Where `deploy()` writes this node's manifest: pass it on to deploy later. */
  manifestPath: string;
  /** Stops the node and removes its directory; safe to call more than once. */
  stop(): Promise<void>;
};

export type LocalNode = BareLocalNode & { manifest: DeploymentManifest };

/**
 * A real `hardhat node` on a free 127.0.0.1 port, with the contracts deployed
 * into a manifest in a temporary directory. Each call is independent, so test
 * files running in parallel each get their own chain. Call `stop()` in afterAll;
 * the node also dies with the test process.
 */
export async function startLocalNode(parameters?: StartLocalNodeParameters & { deploy?: true | undefined }): Promise<LocalNode>;
export async function startLocalNode(parameters: StartLocalNodeParameters & { deploy: false }): Promise<BareLocalNode>;
export async function startLocalNode(parameters: StartLocalNodeParameters = {}): Promise<LocalNode | BareLocalNode> {
  const dir = mkdtempSync(join(tmpdir(), "keyledger-node-"));
  const manifestPath = join(dir, "31337.json");
  const node = await startHardhatNode({ logFile: join(dir, "node.log") }).catch((error) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const bare: BareLocalNode = { rpcUrl: node.rpcUrl, port: node.port, dir, manifestPath, stop };
  if (parameters.deploy === false) return bare;
  try {
    const manifest = await deploy({ rpcUrl: node.rpcUrl, manifestPath, expectedChainId: 31337, params: parameters.params });
    return { ...bare, manifest };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function increaseTime(rpcUrl: string, seconds: number): Promise<void> {
  const client = createTestClient({ mode: "hardhat", transport: http(rpcUrl) });
  await client.increaseTime({ seconds });
  await client.mine({ blocks: 1 });
}

/** Mines `blocks` empty blocks (default 1). */
export async function mine(rpcUrl: string, blocks = 1): Promise<void> {
  await createTestClient({ mode: "hardhat", transport: http(rpcUrl) }).mine({ blocks });
}
