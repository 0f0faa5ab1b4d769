import type { Address, Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { registryOperationTypedData, type RegistryOperationTypedDataReturnType } from "../../../src/chain/signedOperations/registryOperationTypedData.ts";
import { relayRegistryOperation, type RelayRegistryOperationReturnType } from "../../../src/chain/signedOperations/relayRegistryOperation.ts";
import type { RegistryOperation, RelayPayload, SignedNewKey } from "../../../src/chain/signedOperations/types.ts";

/** How long a signature for the relayer stays valid, in chain seconds. */
export const relayDeadlineSeconds = 600;

/** A registry call as the pages build it (`useTransaction`'s request). */
export type RegistryCall = { functionName: string; args: readonly unknown[] };

/**
 * The signed (gasless) form of a registry call the page would send from the wallet:
 * `register`, `rotate`, `revoke`, `extendOverlap` and `setRotator` have one (`xFor`);
 * anything else (`revokeBatch`, …) has none, and null says so.
 */
export function registryOperationFromCall({ functionName, args }: RegistryCall): RegistryOperation | null {
  const a = args as readonly unknown[];
  switch (functionName) {
    case "register":
      return { operation: "register", key: a[0] as SignedNewKey, label: a[1] as string };
    case "rotate":
      return { operation: "rotate", oldKeyId: a[0] as Hex, key: a[1] as SignedNewKey, overlap: Number(a[2]) };
    case "revoke":
      return { operation: "revoke", keyId: a[0] as Hex, reason: a[1] as string };
    case "extendOverlap":
      return { operation: "extendOverlap", keyId: a[0] as Hex, expiresAt: Number(a[1]) };
    case "setRotator":
      return { operation: "setRotator", rotator: a[0] as Address };
    default:
      return null;
  }
}

export type RelaySignedParameters = {
  /** Reads `nonces(owner)` and the latest block's time (the deadline is chain time, which time travel moves). */
  client: {
    readContract(parameters: { address: Address; abi: typeof keyRegistryAbi; functionName: "nonces"; args: readonly [Address] }): Promise<bigint>;
    getBlock(parameters: { blockTag: "latest" }): Promise<{ timestamp: bigint }>;
  };
  chainId: number;
  registry: Address;
  /** The key owner, who signs (the connected account). */
  owner: Address;
  operation: RegistryOperation;
  /** The wallet's EIP-712 signature (wagmi `signTypedData`: `eth_signTypedData_v4`). */
  sign(typedData: RegistryOperationTypedDataReturnType): Promise<Hex>;
  /** The API's `/v1/relay` (through the dApp server's `/api` proxy). */
  relayUrl: string;
  /** Called once signed, before the relayer is asked. */
  onSigned?: (() => void) | undefined;
  fetch?: typeof globalThis.fetch | undefined;
};

/**
 * "Sign, let the API pay": builds the operation's EIP-712 typed data with the owner's
 * on-chain nonce and a deadline 10 minutes of chain time ahead, has the wallet sign it and
 * hands it to the API's relayer, which checks it, simulates it and submits it from its own
 * account. Resolves to the relayer's answer (the transaction hash); a refusal throws
 * `RelayError` with the relayer's code (`rate-limited`, `SignatureExpired`, …).
 */
export async function relaySigned({ client, chainId, registry, owner, operation, sign, relayUrl, onSigned, fetch }: RelaySignedParameters): Promise<RelayRegistryOperationReturnType> {
  const [nonce, head] = await Promise.all([
    client.readContract({ address: registry, abi: keyRegistryAbi, functionName: "nonces", args: [owner] }),
    client.getBlock({ blockTag: "latest" }),
  ]);
  const deadline = head.timestamp + BigInt(relayDeadlineSeconds);
  const signature = await sign(registryOperationTypedData({ chainId, registry, owner, nonce, deadline, operation }));
  onSigned?.();
  const payload: RelayPayload = { ...operation, chainId, registry, owner, nonce: nonce.toString(), deadline: deadline.toString(), signature };
  return relayRegistryOperation({ relayUrl, payload, fetch });
}
