import type { Address, TypedDataDomain } from "viem";
import { registryDomainName, registryDomainVersion } from "./types.ts";

export type RegistryDomainParameters = { chainId: number | bigint; registry: Address };

/** The EIP-712 domain of the KeyRegistry at `registry` on `chainId` (what `eip712Domain()` returns). */
export function registryDomain({ chainId, registry }: RegistryDomainParameters) {
  return {
    name: registryDomainName,
    version: registryDomainVersion,
    chainId: BigInt(chainId),
    verifyingContract: registry,
  } as const satisfies TypedDataDomain;
}
