import type { Abi, Address } from "viem";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { withErrors } from "../contractsAbi.ts";
import { type RegistryCall, registryOperationFromCall } from "../relaySigned.ts";
import { createSafeSigningRequest } from "./createSafeSigningRequest.ts";
import type { SafeSigningRequest } from "./safeSigningRequest.ts";

/**
 * How long a Safe's owners have to sign and submit, in chain seconds: a day, since
 * collecting signatures from several people takes longer than one wallet's 10 minutes.
 */
export const safeDeadlineSeconds = 86_400;

export type PrepareSafeSigningRequestParameters = {
  client: {
    simulateContract(parameters: { account: Address; address: Address; abi: Abi; functionName: string; args: readonly unknown[] }): Promise<unknown>;
    readContract(parameters: { address: Address; abi: typeof keyRegistryAbi; functionName: "nonces"; args: readonly [Address] }): Promise<bigint>;
    getBlock(parameters: { blockTag: "latest" }): Promise<{ timestamp: bigint }>;
  };
  chainId: number;
  registry: Address;
  safe: { safe: Address; owners: readonly Address[]; threshold: number };
  /** The plain registry call the Safe would make (`register`, `rotate`, `revoke`, `extendOverlap`, `setRotator`). */
  call: RegistryCall;
};

/**
 * A new signing request for the Safe: the plain call simulated as the Safe first (the
 * registry's checks are the same for `xFor`), so a refusal shows decoded before any owner
 * signs; then the Safe's registry nonce and a deadline a day of chain time ahead.
 */
export async function prepareSafeSigningRequest({ client, chainId, registry, safe, call }: PrepareSafeSigningRequestParameters): Promise<SafeSigningRequest> {
  const operation = registryOperationFromCall(call);
  if (!operation) throw new Error(`“${call.functionName}” has no signed form, so a Safe cannot authorize it by signatures: send it as a Safe transaction.`);
  await client.simulateContract({ account: safe.safe, address: registry, abi: withErrors(keyRegistryAbi), functionName: call.functionName, args: call.args });
  const [nonce, head] = await Promise.all([
    client.readContract({ address: registry, abi: keyRegistryAbi, functionName: "nonces", args: [safe.safe] }),
    client.getBlock({ blockTag: "latest" }),
  ]);
  return createSafeSigningRequest({ chainId, registry, safe: safe.safe, owners: safe.owners, threshold: safe.threshold, nonce, deadline: head.timestamp + BigInt(safeDeadlineSeconds), operation });
}
