import { type Address, type Hex, toHex, type TransactionReceipt } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { type Algorithm, algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { localClients } from "./clients.ts";

export type RegisterKeyParameters = {
  rpcUrl: string;
  manifest: DeploymentManifest;
  /** An unlocked dev account; it becomes the key's owner. */
  owner: Address;
  /** An existing key file; default: a new key of `alg`. */
  key?: KeyFile | undefined;
  alg?: Algorithm | undefined;
  label?: string | undefined;
  /** Scope bitmask; default read + trade (0b11). */
  scopes?: number | undefined;
  /** Default: the latest block's time (valid at once). */
  notBefore?: number | undefined;
  /** Default: 30 days after notBefore. */
  expiresAt?: number | undefined;
};

export type RegisterKeyReturnType = { key: KeyFile; keyId: Hex; notBefore: number; expiresAt: number; receipt: TransactionReceipt };

/** Registers a key on the local node with a real proof of possession made by the key; `key` comes back with the registry id. */
export async function registerKey(parameters: RegisterKeyParameters): Promise<RegisterKeyReturnType> {
  const { rpcUrl, manifest, owner, scopes = 0b11 } = parameters;
  const { publicClient, walletClient } = localClients(rpcUrl);
  const key = parameters.key ?? (await generateKey({ alg: parameters.alg ?? "ed25519", label: parameters.label ?? "test-app" }));
  const registry = manifest.contracts.KeyRegistry.address;
  const notBefore = parameters.notBefore ?? Number((await publicClient.getBlock()).timestamp);
  const expiresAt = parameters.expiresAt ?? notBefore + 30 * 86_400;
  const proof = await signProofOfPossession({ key, chainId: manifest.chainId, registry, owner });
  const hash = await walletClient.writeContract({
    account: owner,
    address: registry,
    abi: keyRegistryAbi,
    functionName: "register",
    args: [
      {
        algorithm: algorithmToChain(key.alg),
        publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
        scopes,
        notBefore,
        expiresAt,
        proof,
      },
      parameters.label ?? key.label,
    ],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`register reverted (${hash})`);
  // The registry namespaces ids per owner: the returned key file carries the registry's id.
  const bound = bindKeyId({ key, owner });
  return { key: bound, keyId: bound.keyId, notBefore, expiresAt, receipt };
}
