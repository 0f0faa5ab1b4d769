// EIP-712 typed data of the registry's signed (gasless) operations: the owner signs
// with viem's `signTypedData({ account, ...xForTypedData(...) })`, anyone submits
// `xFor(..., deadline, signature)`. Browser-safe (viem only).
export { extendOverlapForTypedData, type ExtendOverlapForTypedDataParameters } from "./extendOverlapForTypedData.ts";
export { registerForTypedData, type RegisterForTypedDataParameters } from "./registerForTypedData.ts";
export { registryDomain, type RegistryDomainParameters } from "./registryDomain.ts";
export { revokeForTypedData, type RevokeForTypedDataParameters } from "./revokeForTypedData.ts";
export { rotateForTypedData, type RotateForTypedDataParameters } from "./rotateForTypedData.ts";
export { setRotatorForTypedData, type SetRotatorForTypedDataParameters } from "./setRotatorForTypedData.ts";
export {
  registryDomainName,
  registryDomainVersion,
  type SignedNewKey,
  type SignedOperationBase,
  signedOperationTypes,
} from "./types.ts";
