import { type Abi, type Address, type Hex, isAddress, isHex } from "viem";
import { BaseError } from "../errors/BaseError.ts";

/** Names of the contracts a KeyLedger deployment consists of. */
export const contractNames = ["KeyRegistry", "KeyLedgerToken", "KeyLedgerTimelock", "KeyLedgerGovernor"] as const;
export type ContractName = (typeof contractNames)[number];

/**
 * What `scripts/deploy.ts` writes (to `deployments/<chainId>.json` by default) and
 * what the library, the CLI, the reference server and the dApp read.
 */
export type DeploymentManifest = {
  /** Format version of this file. */
  version: 1;
  chainId: number;
  /** Block that holds the first deployment transaction: indexers backfill from here. */
  deploymentBlock: number;
  /** Hash of `deploymentBlock`, so a restarted dev chain is told apart from the one deployed to. */
  deploymentBlockHash: Hex;
  deployedAt: string;
  deployer: Address;
  contracts: Record<ContractName, { address: Address; abi: Abi }>;
  /** Parameters the DAO was deployed with (seconds / percent / wei as decimal strings). */
  governance: {
    votingDelay: number;
    votingPeriod: number;
    quorumPercent: number;
    timelockDelay: number;
    proposalThreshold: string;
  };
  /** Initial registry policy; the live one is `KeyRegistry.policy()`. */
  policy: { maxLifetime: number; maxOverlap: number; maxSuspension: number; maxKeysPerOwner: number; allowedAlgorithms: number; allowedScopes: number };
  /** Initial scope names by bit; the live ones are `ScopeNamed` events. */
  scopes: string[];
  guardians: Address[];
};

export function validateManifest(json: unknown): DeploymentManifest {
  const m = json as Partial<DeploymentManifest> | null;
  const problems: string[] = [];
  if (!m || typeof m !== "object") throw new InvalidManifestError("Deployment manifest must be a JSON object.");
  if (m.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(m.version)}`);
  if (!Number.isSafeInteger(m.chainId) || (m.chainId as number) <= 0) problems.push("chainId must be a positive integer");
  if (!Number.isSafeInteger(m.deploymentBlock) || (m.deploymentBlock as number) < 0) problems.push("deploymentBlock must be a block number");
  if (!isHex(m.deploymentBlockHash) || m.deploymentBlockHash.length !== 66) problems.push("deploymentBlockHash must be a 32-byte hex");
  for (const name of contractNames) {
    const c = m.contracts?.[name];
    if (!c || !isAddress(c.address, { strict: false })) problems.push(`contracts.${name}.address must be an address`);
    else if (!Array.isArray(c.abi)) problems.push(`contracts.${name}.abi must be an ABI array`);
  }
  if (problems.length) {
    throw new InvalidManifestError("Invalid deployment manifest.", { metaMessages: problems.map((p) => `- ${p}`) });
  }
  return m as DeploymentManifest;
}

export class InvalidManifestError extends BaseError {
  override name = "InvalidManifestError";
}
