import type { Account, Address, Chain, Client, LocalAccount, Transport, WalletClient } from "viem";
import { getChainId, readContract } from "viem/actions";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { registryOperationTypedData } from "./registryOperationTypedData.ts";
import type { RegistryOperation, RelayPayload } from "./types.ts";

export type SignRegistryOperationParameters = {
  /** Reads the chain id and `nonces(owner)` (any viem client on the registry's chain). */
  client: Client;
  /** Signs the typed data: a local account, or a wallet client with an account (JSON-RPC accounts sign with eth_signTypedData_v4). */
  signer: LocalAccount | WalletClient<Transport, Chain | undefined, Account>;
  /** The KeyRegistry. */
  registry: Address;
  /** The operation and its arguments. */
  operation: RegistryOperation;
  /** Last block timestamp (unix seconds) at which the operation may be submitted. */
  deadline: bigint;
  /** The signer's nonce; default `nonces(owner)` now (a second payload signed before the first is mined needs `nonce + 1`). */
  nonce?: bigint | undefined;
  /** The key owner; default the signer's address. */
  owner?: Address | undefined;
};

export type SignRegistryOperationReturnType = RelayPayload & { chainId: number; registry: Address; nonce: string };

/**
 * Signs a registry operation for a relayer: builds the EIP-712 typed data with the
 * owner's on-chain nonce and signs it. The result is plain JSON (`JSON.stringify` it,
 * hand it to `relayRegistryOperation` or `keyledger relay`); the signer needs no ETH.
 */
export async function signRegistryOperation(parameters: SignRegistryOperationParameters): Promise<SignRegistryOperationReturnType> {
  const { client, signer, registry, operation, deadline } = parameters;
  const local = "type" in signer && signer.type === "local";
  const owner = parameters.owner ?? (local ? (signer as LocalAccount).address : (signer as WalletClient<Transport, Chain | undefined, Account>).account.address);
  const [chainId, nonce] = await Promise.all([
    getChainId(client),
    parameters.nonce ?? readContract(client, { address: registry, abi: keyRegistryAbi, functionName: "nonces", args: [owner] }),
  ]);
  const typedData = registryOperationTypedData({ chainId, registry, owner, nonce, deadline, operation });
  const signature = local
    ? await (signer as LocalAccount).signTypedData(typedData as never)
    : await (signer as WalletClient<Transport, Chain | undefined, Account>).signTypedData(typedData as never);
  return { ...operation, chainId, registry, owner, nonce: nonce.toString(), deadline: deadline.toString(), signature };
}
