import { type Address, getAddress, isAddress, parseEther } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { InvalidDeploymentParametersError, UnsafeDistributionError } from "./errors.ts";

/** Development chains (Hardhat and Anvil 31337, Geth --dev and Ganache 1337): their dev accounts' keys are public. */
export const localChainIds: readonly number[] = [31337, 1337];

export type Policy = DeploymentManifest["policy"];

/** Everything a deployment can be configured with. Durations are seconds, amounts wei. */
export type DeploymentParameters = {
  votingDelay: number;
  votingPeriod: number;
  /** Quorum in percent of the total supply (at the proposal's snapshot). */
  quorumPercent: number;
  timelockDelay: number;
  proposalThreshold: bigint;
  /** Total KLG supply, minted to the deployer and handed out as `distribution` says. */
  tokenSupply: bigint;
  /** Accounts that receive KLG and delegate to themselves (when the node can sign for them): `distribution`'s holders. */
  holders: Address[];
  /** Who receives how much (wei); the amounts add up to `tokenSupply`. */
  distribution: Holding[];
  policy: Policy;
  /** Names of scope bits 0, 1, ... */
  scopes: string[];
  guardians: Address[];
};

export type Holding = { holder: Address; amount: bigint };

export type DeploymentParametersInput = Partial<Omit<DeploymentParameters, "policy" | "distribution">> & {
  policy?: Partial<Policy>;
  /** Explicit amounts per holder (e.g. from `--distribution FILE`); the supply defaults to their sum. Excludes `holders`. */
  distribution?: Holding[] | undefined;
  /**
   * Allow a non-local deployment in which one account holds every vote (the deployer by default).
   * Why an explicit switch: such a holder alone passes any proposal, e.g. takes over governance and revokes any key.
   */
  singleHolder?: boolean | undefined;
};

const day = 86_400;
const commonDefaults = {
  quorumPercent: 4,
  tokenSupply: parseEther("1000000"),
  scopes: ["read", "trade", "withdraw", "admin"],
};
const commonPolicy = { maxLifetime: 365 * day, maxOverlap: 30 * day, allowedAlgorithms: 0b1110 };
// The local chain is for trying things out: a whole proposal cycle fits in a few
// minutes of chain time, which tests and the dApp skip with evm_increaseTime. The
// cap lets `npm run seed` put a million keys on 20 dev accounts.
const localDefaults = {
  ...commonDefaults,
  votingDelay: 1,
  votingPeriod: 300,
  timelockDelay: 60,
  proposalThreshold: 0n,
  policy: { ...commonPolicy, maxSuspension: day, maxKeysPerOwner: 65_535 },
};
// Elsewhere token holders need days to notice and react to a proposal. A guardian's
// suspension outlasts one proposal cycle (1 + 7 + 2 days), so the DAO can confirm it
// (revoke) or extend it before it lapses; an owner needs far fewer live lineages.
const publicDefaults = {
  ...commonDefaults,
  votingDelay: day,
  votingPeriod: 7 * day,
  timelockDelay: 2 * day,
  proposalThreshold: parseEther("1000"),
  policy: { ...commonPolicy, maxSuspension: 14 * day, maxKeysPerOwner: 1_000 },
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
 * the supply and account 9 is the guardian; elsewhere there is no guardian unless
 * one is given, and the token distribution must be explicit (`holders` or
 * `distribution` with at least two holders), or `singleHolder` must allow one holder.
 * Throws UnsafeDistributionError otherwise, InvalidDeploymentParametersError on bad values.
 */
export function resolveParameters({ chainId, deployer, unlocked, overrides = {} }: ResolveParametersParameters): DeploymentParameters {
  const local = localChainIds.includes(chainId);
  const defaults = local ? localDefaults : publicDefaults;
  const scopes = overrides.scopes ?? defaults.scopes;
  if (overrides.distribution && overrides.holders) {
    throw new InvalidDeploymentParametersError({ problems: ["give either holders (an even split) or distribution (amounts), not both"] });
  }
  const holders = overrides.distribution?.map((h) => h.holder) ?? overrides.holders ?? (local && unlocked.length >= 5 ? unlocked.slice(0, 5) : [deployer]);
  const explicit = overrides.distribution !== undefined || overrides.holders !== undefined;
  if (!local && overrides.singleHolder !== true && (!explicit || new Set(holders.map((a) => a.toLowerCase())).size < 2)) {
    throw new UnsafeDistributionError({ chainId, holders: explicit ? holders : [] });
  }
  const tokenSupply = overrides.tokenSupply ?? (overrides.distribution ? overrides.distribution.reduce((sum, h) => sum + h.amount, 0n) : defaults.tokenSupply);
  const params: DeploymentParameters = {
    votingDelay: overrides.votingDelay ?? defaults.votingDelay,
    votingPeriod: overrides.votingPeriod ?? defaults.votingPeriod,
    quorumPercent: overrides.quorumPercent ?? defaults.quorumPercent,
    timelockDelay: overrides.timelockDelay ?? defaults.timelockDelay,
    proposalThreshold: overrides.proposalThreshold ?? defaults.proposalThreshold,
    tokenSupply,
    holders,
    distribution: overrides.distribution ?? evenSplit(holders, tokenSupply),
    policy: {
      maxLifetime: overrides.policy?.maxLifetime ?? defaults.policy.maxLifetime,
      maxOverlap: overrides.policy?.maxOverlap ?? defaults.policy.maxOverlap,
      maxSuspension: overrides.policy?.maxSuspension ?? defaults.policy.maxSuspension,
      maxKeysPerOwner: overrides.policy?.maxKeysPerOwner ?? defaults.policy.maxKeysPerOwner,
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
    distribution: params.distribution.map(({ holder, amount }) => ({ holder: getAddress(holder), amount })),
    guardians: params.guardians.map((a) => getAddress(a)),
  };
}

// The first holder takes the remainder, so the amounts always add up to the supply.
function evenSplit(holders: readonly Address[], supply: bigint): Holding[] {
  if (holders.length === 0) return [];
  const share = supply / BigInt(holders.length);
  return holders.map((holder, i) => ({ holder, amount: i === 0 ? supply - share * BigInt(holders.length - 1) : share }));
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
  int("policy.maxSuspension", p.policy.maxSuspension, 1, 2 ** 32 - 1);
  int("policy.maxKeysPerOwner", p.policy.maxKeysPerOwner, 1, 65_535);
  int("policy.allowedAlgorithms", p.policy.allowedAlgorithms, 0, 255);
  int("policy.allowedScopes", p.policy.allowedScopes, 0, 255);
  if (p.policy.allowedAlgorithms & 0xf1) problems.push("policy.allowedAlgorithms may only set bits 1..3 (Ed25519, P-256, secp256k1)");
  if (p.proposalThreshold < 0n) problems.push("proposalThreshold must not be negative");
  if (p.tokenSupply <= 0n) problems.push("tokenSupply must be positive");
  if (p.holders.length === 0) problems.push("holders must name at least one account");
  if (new Set(p.holders.map((a) => a.toLowerCase())).size !== p.holders.length) problems.push("holders must be distinct");
  for (const { holder, amount } of p.distribution) if (amount <= 0n) problems.push(`the amount for ${holder} must be positive, got ${amount}`);
  const distributed = p.distribution.reduce((sum, h) => sum + h.amount, 0n);
  if (p.distribution.length && distributed !== p.tokenSupply) problems.push(`the distribution adds up to ${distributed} wei, but the supply is ${p.tokenSupply}`);
  if (p.scopes.length > 8) problems.push(`at most 8 scopes, got ${p.scopes.length}`);
  for (const name of p.scopes) {
    if (new TextEncoder().encode(name).length > 32) problems.push(`scope name "${name}" is longer than 32 bytes`);
  }
  for (const a of [...p.holders, ...p.guardians]) {
    if (!isAddress(a, { strict: false })) problems.push(`"${a}" is not an address`);
  }
  if (problems.length) throw new InvalidDeploymentParametersError({ problems });
}
