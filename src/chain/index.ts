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
