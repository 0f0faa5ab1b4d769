export { codeMatchesArtifact, type CodeMatchesArtifactParameters } from "./codeMatchesArtifact.ts";
export { deploy, type DeployParameters, type DeployReturnType } from "./deploy.ts";
export {
  ArtifactsMissingError,
  DeployerUnavailableError,
  DeploymentFailedError,
  InvalidDeploymentParametersError,
  NodeUnreachableError,
  UnsafeDistributionError,
  WrongChainError,
} from "./errors.ts";
export { type ContractArtifact, loadArtifacts } from "./loadArtifacts.ts";
export {
  type DeploymentParameters,
  type DeploymentParametersInput,
  type Holding,
  localChainIds,
  type Policy,
  resolveParameters,
} from "./parameters.ts";
