import { type Address, getAddress, isAddress, parseEther } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { InvalidDeploymentParametersError } from "./errors.ts";

/** Chains whose node unlocks Hardhat's well-known dev accounts. */
export const localChainIds: readonly number[] = [31337];

export type Policy = DeploymentManifest["policy"];

/** Everything a deployment can be configured with. Durations are seconds, amounts wei. */
export type DeploymentParameters = {
  votingDelay: number;
  votingPeriod: number;
  /** Quorum in percent of the total supply (at the proposal's snapshot). */
  quorumPercent: number;
  timelockDelay: number;
  proposalThreshold: bigint;
  /** Total KLG supply, minted to the deployer and split evenly over `holders`. */
  tokenSupply: bigint;
  /** Accounts that receive an equal share and delegate to themselves (when the node can sign for them). */
  holders: Address[];
  policy: Policy;
  /** Names of scope bits 0, 1, ... */
  scopes: string[];
  guardians: Address[];
};

export type DeploymentParametersInput = Partial<Omit<DeploymentParameters, "policy">> & { policy?: Partial<Policy> };

const day = 86_400;
const commonDefaults = {
  quorumPercent: 4,
  tokenSupply: parseEther("1000000"),
  policy: { maxLifetime: 365 * day, maxOverlap: 30 * day, allowedAlgorithms: 0b1110 },
  scopes: ["read", "trade", "withdraw", "admin"],
};
// The local chain is for trying things out: a whole proposal cycle fits in a few
// minutes of chain time, which tests and the dApp skip with evm_increaseTime.
const localDefaults = { ...commonDefaults, votingDelay: 1, votingPeriod: 300, timelockDelay: 60, proposalThreshold: 0n };
// Elsewhere token holders need days to notice and react to a proposal.
const publicDefaults = {
  ...commonDefaults,
  votingDelay: day,
  votingPeriod: 7 * day,
  timelockDelay: 2 * day,
  proposalThreshold: parseEther("1000"),
};

export type ResolveParametersParameters = {
  chainId: number;
  deployer: Address;
  /** The node's unlocked accounts (`eth_accounts`). */
  unlocked: readonly Address[];
  overrides?: DeploymentParametersInput | undefined;
};

/**
 * Fills in the defaults for the chain: on the local chain dev accounts 0..4 hold
 * the supply and account 9 is the guardian; elsewhere the deployer holds it and
 * there is no guardian unless one is given.
 */
export function resolveParameters({ chainId, deployer, unlocked, overrides = {} }: ResolveParametersParameters): DeploymentParameters {
  const local = localChainIds.includes(chainId);
  const defaults = local ? localDefaults : publicDefaults;
  const scopes = overrides.scopes ?? defaults.scopes;
  const params: DeploymentParameters = {
    votingDelay: overrides.votingDelay ?? defaults.votingDelay,
    votingPeriod: overrides.votingPeriod ?? defaults.votingPeriod,
    quorumPercent: overrides.quorumPercent ?? defaults.quorumPercent,
    timelockDelay: overrides.timelockDelay ?? defaults.timelockDelay,
    proposalThreshold: overrides.proposalThreshold ?? defaults.proposalThreshold,
    tokenSupply: overrides.tokenSupply ?? defaults.tokenSupply,
    holders: overrides.holders ?? (local && unlocked.length >= 5 ? unlocked.slice(0, 5) : [deployer]),
    policy: {
      maxLifetime: overrides.policy?.maxLifetime ?? defaults.policy.maxLifetime,
      maxOverlap: overrides.policy?.maxOverlap ?? defaults.policy.maxOverlap,
      allowedAlgorithms: overrides.policy?.allowedAlgorithms ?? defaults.policy.allowedAlgorithms,
      // Every named bit is allowed unless the policy says otherwise.
      allowedScopes: overrides.policy?.allowedScopes ?? scopes.reduce((mask, name, bit) => (name ? mask | (1 << bit) : mask), 0),
    },
    scopes,
    guardians: overrides.guardians ?? (local && unlocked[9] ? [unlocked[9]] : []),
  };
  validate(params);
  return {
    ...params,
    holders: params.holders.map((a) => getAddress(a)),
    guardians: params.guardians.map((a) => getAddress(a)),
  };
}

function validate(p: DeploymentParameters): void {
  const problems: string[] = [];
  const int = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) problems.push(`${name} must be an integer in ${min}..${max}, got ${value}`);
  };
  int("votingDelay", p.votingDelay, 0, 2 ** 48 - 1);
  int("votingPeriod", p.votingPeriod, 1, 2 ** 32 - 1);
  int("quorumPercent", p.quorumPercent, 0, 100);
  int("timelockDelay", p.timelockDelay, 0, Number.MAX_SAFE_INTEGER);
  int("policy.maxLifetime", p.policy.maxLifetime, 1, 2 ** 32 - 1);
  int("policy.maxOverlap", p.policy.maxOverlap, 0, p.policy.maxLifetime);
  int("policy.allowedAlgorithms", p.policy.allowedAlgorithms, 0, 255);
  int("policy.allowedScopes", p.policy.allowedScopes, 0, 255);
  if (p.policy.allowedAlgorithms & 0xf1) problems.push("policy.allowedAlgorithms may only set bits 1..3 (Ed25519, P-256, secp256k1)");
  if (p.proposalThreshold < 0n) problems.push("proposalThreshold must not be negative");
  if (p.tokenSupply <= 0n) problems.push("tokenSupply must be positive");
  if (p.holders.length === 0) problems.push("holders must name at least one account");
  if (new Set(p.holders.map((a) => a.toLowerCase())).size !== p.holders.length) problems.push("holders must be distinct");
  if (p.scopes.length > 8) problems.push(`at most 8 scopes, got ${p.scopes.length}`);
  for (const name of p.scopes) {
    if (new TextEncoder().encode(name).length > 32) problems.push(`scope name "${name}" is longer than 32 bytes`);
  }
  for (const a of [...p.holders, ...p.guardians]) {
    if (!isAddress(a, { strict: false })) problems.push(`"${a}" is not an address`);
  }
  if (problems.length) throw new InvalidDeploymentParametersError({ problems });
}
