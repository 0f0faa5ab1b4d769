import { type Address, type Hex, keccak256, type PublicClient, stringToHex } from "viem";
import { keyLedgerGovernorAbi, keyLedgerTokenAbi } from "../../../src/generated/abis.ts";
import type { IndexedProposal } from "../indexer/index.ts";

export const proposalStates = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;
export type ProposalState = (typeof proposalStates)[number];

export type Proposal = {
  index: number;
  proposalId: bigint;
  state: ProposalState;
  proposer: Address;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  descriptionHash: Hex;
  description: string | undefined;
  /** Voting opens after this time (seconds, the token's timestamp clock). */
  snapshot: number;
  deadline: number;
  /** When a queued proposal can be executed (0 when not queued). */
  eta: number;
  votes: { against: bigint; for: bigint; abstain: bigint };
  /** How many accounts voted (indexer). */
  voteCount: number;
  /** Votes (for + abstain) needed; estimated from the current supply while voting has not started. */
  quorum: bigint;
  hasVoted: boolean;
  /** The account's voting weight at the snapshot (0 before it). */
  weight: bigint;
  createdBlock?: bigint | undefined;
  queuedBlock?: bigint | undefined;
  executedBlock?: bigint | undefined;
  canceledBlock?: bigint | undefined;
};

export type ProposalChainState = Pick<Proposal, "state" | "quorum" | "hasVoted" | "weight">;

export type ReadProposalChainStateParameters = {
  client: PublicClient;
  governor: Address;
  token: Address;
  account: Address | undefined;
  /** The proposals the indexer knows (id and vote start). */
  proposals: readonly Pick<IndexedProposal, "proposalId" | "voteStart">[];
  now: number;
};

/**
 * What only the chain can say now about the indexer's proposals. Everything else
 * (proposer, description, actions, vote window, tallies, vote count, ETA, the
 * queued/executed/cancelled blocks, the voters) comes from the indexer.
 *
 * Contract reads kept because they must be current on chain: `state()` (it moves
 * with time, e.g. Active → Defeated, with no event), the wallet's own voting
 * power at the snapshot (`getVotes`) and `hasVoted` (the vote buttons must not
 * offer a vote the governor would refuse); and `quorum(snapshot)`, which no event
 * carries (it is the token's past total supply). They go out as one JSON-RPC
 * batch per round.
 */
export async function readProposalChainState({ client, governor, token, account, proposals, now }: ReadProposalChainStateParameters): Promise<Map<bigint, ProposalChainState>> {
  const result = new Map<bigint, ProposalChainState>();
  if (proposals.length === 0) return result;
  const read = <T>(functionName: string, args: readonly unknown[] = [], address: Address = governor, abi: unknown = keyLedgerGovernorAbi) =>
    client.readContract({ address, abi: abi as typeof keyLedgerGovernorAbi, functionName: functionName as "state", args: args as [bigint] }) as Promise<T>;
  const [supply, numerator, denominator] = await Promise.all([
    read<bigint>("totalSupply", [], token, keyLedgerTokenAbi),
    read<bigint>("quorumNumerator"),
    read<bigint>("quorumDenominator"),
  ]);
  await Promise.all(
    proposals.map(async (p) => {
      const [state, hasVoted] = await Promise.all([read<number>("state", [p.proposalId]), account ? read<boolean>("hasVoted", [p.proposalId, account]) : Promise.resolve(false)]);
      const started = p.voteStart < now;
      const [quorum, weight] = await Promise.all([
        started ? read<bigint>("quorum", [BigInt(p.voteStart)]).catch(() => (supply * numerator) / denominator) : (supply * numerator) / denominator,
        started && account ? read<bigint>("getVotes", [account, BigInt(p.voteStart)]).catch(() => 0n) : 0n,
      ]);
      result.set(p.proposalId, { state: proposalStates[state] ?? "Pending", quorum, hasVoted, weight });
    }),
  );
  return result;
}

/** The indexer's proposals (newest first) with the chain's current state where read. */
export function mergeProposals(indexed: readonly IndexedProposal[], chain: ReadonlyMap<bigint, ProposalChainState> | undefined): Proposal[] {
  return indexed.map((p, i) => {
    const base = fromIndexed(p, indexed.length - 1 - i);
    const current = chain?.get(p.proposalId);
    return current ? { ...base, ...current } : base;
  });
}

/** The indexer's fields of a proposal (state guessed from its events until `state()` answers). */
export function fromIndexed(p: IndexedProposal, index: number): Proposal {
  return {
    index,
    proposalId: p.proposalId,
    state: p.status === "canceled" ? "Canceled" : p.status === "executed" ? "Executed" : p.status === "queued" ? "Queued" : "Pending",
    proposer: p.proposer,
    targets: p.actions.map((a) => a.target),
    values: p.actions.map((a) => a.value),
    calldatas: p.actions.map((a) => a.calldata),
    descriptionHash: keccak256(stringToHex(p.description)),
    description: p.description,
    snapshot: p.voteStart,
    deadline: p.voteEnd,
    eta: p.eta,
    votes: p.votes,
    voteCount: p.voteCount,
    quorum: 0n,
    hasVoted: false,
    weight: 0n,
    createdBlock: p.createdBlock,
    queuedBlock: p.queuedBlock,
    executedBlock: p.executedBlock,
    canceledBlock: p.canceledBlock,
  };
}
