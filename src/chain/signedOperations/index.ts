// EIP-712 typed data of the registry's signed (gasless) operations: the owner signs
// with viem's `signTypedData({ account, ...xForTypedData(...) })`, anyone submits
// `xFor(..., deadline, signature)`. Browser-safe (viem only). `signRegistryOperation`
// and `relayRegistryOperation` sign for and submit through a relayer (POST /v1/relay).
export { erc1271Abi, erc1271MagicValue } from "./erc1271.ts";
export { extendOverlapForTypedData, type ExtendOverlapForTypedDataParameters } from "./extendOverlapForTypedData.ts";
export { registerForTypedData, type RegisterForTypedDataParameters } from "./registerForTypedData.ts";
export { registryDomain, type RegistryDomainParameters } from "./registryDomain.ts";
export { revokeForTypedData, type RevokeForTypedDataParameters } from "./revokeForTypedData.ts";
export { rotateForTypedData, type RotateForTypedDataParameters } from "./rotateForTypedData.ts";
export { setRotatorForTypedData, type SetRotatorForTypedDataParameters } from "./setRotatorForTypedData.ts";
export { maxRelayReasonBytes, maxRelaySignatureBytes, parseRelayPayload, type ParseRelayPayloadReturnType, type RelayPayloadProblem } from "./parseRelayPayload.ts";
export { registryOperationCall, type RegistryOperationCallParameters, type RegistryOperationCallReturnType } from "./registryOperationCall.ts";
export {
  registryOperationTypedData,
  type RegistryOperationTypedDataParameters,
  type RegistryOperationTypedDataReturnType,
} from "./registryOperationTypedData.ts";
export { RelayError, type RelayErrorParameters } from "./RelayError.ts";
export { relayRegistryOperation, type RelayRegistryOperationParameters, type RelayRegistryOperationReturnType } from "./relayRegistryOperation.ts";
export { signRegistryOperation, type SignRegistryOperationParameters, type SignRegistryOperationReturnType } from "./signRegistryOperation.ts";
export {
  type RegistryOperation,
  type RegistryOperationName,
  registryOperationNames,
  type RelayPayload,
  registryDomainName,
  registryDomainVersion,
  type SignedNewKey,
  type SignedOperationBase,
  signedOperationTypes,
} from "./types.ts";
