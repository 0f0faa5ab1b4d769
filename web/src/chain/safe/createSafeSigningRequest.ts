import { type Address, getAddress, hashTypedData } from "viem";
import { registryOperationTypedData } from "../../../../src/chain/signedOperations/registryOperationTypedData.ts";
import type { RegistryOperation } from "../../../../src/chain/signedOperations/types.ts";
import { safeMessageTypedData } from "./safeMessageTypedData.ts";
import { type SafeSigningRequest, safeSigningRequestKind } from "./safeSigningRequest.ts";

export type CreateSafeSigningRequestParameters = {
  chainId: number;
  registry: Address;
  safe: Address;
  owners: readonly Address[];
  threshold: number;
  nonce: bigint;
  deadline: bigint;
  operation: RegistryOperation;
};

export type CreateSafeSigningRequestReturnType = SafeSigningRequest;

/**
 * A new signing request, without signatures: the registry's typed data for `owner = safe`,
 * its digest, and the SafeMessage hash over that digest that every owner signs.
 */
export function createSafeSigningRequest({ chainId, registry, safe, owners, threshold, nonce, deadline, operation }: CreateSafeSigningRequestParameters): CreateSafeSigningRequestReturnType {
  const registryDigest = hashTypedData(registryOperationTypedData({ chainId, registry, owner: getAddress(safe), nonce, deadline, operation }) as never);
  const safeMessageHash = hashTypedData(safeMessageTypedData({ chainId, safe: getAddress(safe), message: registryDigest }));
  return {
    kind: safeSigningRequestKind,
    version: 1,
    chainId,
    registry: getAddress(registry),
    safe: getAddress(safe),
    owners: owners.map((o) => getAddress(o)),
    threshold,
    nonce: nonce.toString(),
    deadline: deadline.toString(),
    operation,
    registryDigest,
    safeMessageHash,
    signatures: [],
  };
}
