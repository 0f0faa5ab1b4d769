export {
  ChainMismatchError,
  chainKeyResolver,
  type ChainKeyResolver,
  type ChainKeyResolverCheckpointStatus,
  type ChainKeyResolverParameters,
  type ChainKeyResolverStatus,
  type ChainKeyResolverUpdate,
} from "./chainKeyResolver.ts";
export { contractNames, InvalidManifestError, loadManifest, validateManifest, type ContractName, type DeploymentManifest, type LoadManifestParameters } from "./manifest.ts";
export { publicKeyFromRaw, type PublicKeyFromRawParameters } from "./publicKeyFromRaw.ts";
export { verifyProofOfPossession, type VerifyProofOfPossessionParameters } from "./verifyProofOfPossession.ts";
export { CheckpointError, type CheckpointHeader, checkpointFormat, checkpointVersion } from "./checkpoint/index.ts";
export {
  extendOverlapForTypedData,
  type ExtendOverlapForTypedDataParameters,
  registerForTypedData,
  type RegisterForTypedDataParameters,
  registryDomain,
  type RegistryDomainParameters,
  registryDomainName,
  registryDomainVersion,
  revokeForTypedData,
  type RevokeForTypedDataParameters,
  rotateForTypedData,
  type RotateForTypedDataParameters,
  setRotatorForTypedData,
  type SetRotatorForTypedDataParameters,
  type SignedNewKey,
  type SignedOperationBase,
  signedOperationTypes,
} from "./signedOperations/index.ts";
