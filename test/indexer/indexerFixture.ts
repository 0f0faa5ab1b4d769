import { createClient } from "@ponder/client";
import { type Address, type Hex, toHex } from "viem";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "../../indexer/ponder.schema.ts";
import { startIndexer, type StartIndexerReturnType } from "../../scripts/dev/startIndexer.ts";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { localClients } from "../helpers/clients.ts";
import type { LocalNode } from "../helpers/localNode.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export { schema };

export type IndexerUnderTest = StartIndexerReturnType & { client: ReturnType<typeof createClient<typeof schema>> };

/** The real indexer (`ponder start`) over a local node, with a SQL-over-HTTP client on it. */
export async function startTestIndexer({ node, databaseUrl, databaseSchema }: { node: LocalNode; databaseUrl?: string; databaseSchema?: string }): Promise<IndexerUnderTest> {
  const indexer = await startIndexer({
    root,
    rpcUrl: node.rpcUrl,
    manifestPath: node.manifestPath,
    databaseUrl,
    databaseSchema,
    pgliteDirectory: join(node.dir, "pglite"),
    logFile: join(node.dir, "indexer.log"),
    pollingIntervalMs: 100,
  });
  return { ...indexer, client: createClient(`${indexer.url}/sql`, { schema }) };
}

/** Polls `read` until `done` accepts its result; throws with the last result after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; last result: ${JSON.stringify(last, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The indexed head, from Ponder's `/status`. */
export async function indexedBlock(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/status`)).json()) as Record<string, { block: { number: number } }>;
  return Object.values(status)[0]?.block.number ?? -1;
}

/**
 * Rotates `oldKeyId` to a new key with a real proof of possession (for `owner`); returns the new
 * key id. `sender` sends it (default the owner; the owner's rotator may too).
 */
export async function rotateKey({ rpcUrl, manifest, owner, oldKeyId, overlap = 3_600, sender = owner }: { rpcUrl: string; manifest: DeploymentManifest; owner: Address; oldKeyId: Hex; overlap?: number; sender?: Address }): Promise<{ key: KeyFile; keyId: Hex }> {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const key = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "rotated" }), owner });
  const registry = manifest.contracts.KeyRegistry.address;
  const notBefore = Number((await publicClient.getBlock()).timestamp);
  const proof = await signProofOfPossession({ key, chainId: manifest.chainId, registry, owner });
  const hash = await walletClient.writeContract({
    account: sender,
    address: registry,
    abi: keyRegistryAbi,
    functionName: "rotate",
    args: [oldKeyId, { algorithm: algorithmToChain(key.alg), publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw), scopes: 1, notBefore, expiresAt: notBefore + 7 * 86_400, proof }, overlap],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`rotate reverted (${hash})`);
  return { key, keyId: key.keyId };
}

/** `owner` appoints `rotator` (zero address: removes it) and waits for success. */
export async function setRotator(rpcUrl: string, manifest: DeploymentManifest, owner: Address, rotator: Address) {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const hash = await walletClient.writeContract({ account: owner, address: manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "setRotator", args: [rotator] });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`setRotator reverted (${hash})`);
  return receipt;
}

/** Sends a registry call from an unlocked dev account and waits for success. */
export async function registryCall(rpcUrl: string, manifest: DeploymentManifest, account: Address, functionName: "revoke" | "suspend", args: readonly [Hex, string]) {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const hash = await walletClient.writeContract({ account, address: manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
  return receipt;
}
