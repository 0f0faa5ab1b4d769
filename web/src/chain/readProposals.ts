import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerGovernorAbi, keyLedgerTokenAbi } from "../../../src/generated/abis.ts";
import type { ProposalCreated } from "../indexer/index.ts";

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
  /** Votes (for + abstain) needed; estimated from the current supply while voting has not started. */
  quorum: bigint;
  hasVoted: boolean;
  /** The account's voting weight at the snapshot (0 before it). */
  weight: bigint;
};

export type ReadProposalsParameters = {
  client: PublicClient;
  governor: Address;
  token: Address;
  account: Address | undefined;
  created: ReadonlyMap<bigint, ProposalCreated>;
  now: number;
};

/**
 * Every proposal from the governor's own storage (GovernorStorage), newest
 * first, with state, tallies, quorum and deadlines. The reads go out as one
 * JSON-RPC batch per round.
 */
export async function readProposals({ client, governor, token, account, created, now }: ReadProposalsParameters): Promise<Proposal[]> {
  const read = <T>(functionName: string, args: readonly unknown[] = [], address: Address = governor, abi: unknown = keyLedgerGovernorAbi) =>
    client.readContract({ address, abi: abi as typeof keyLedgerGovernorAbi, functionName: functionName as "state", args: args as [bigint] }) as Promise<T>;
  const count = Number(await read<bigint>("proposalCount"));
  const [supply, numerator, denominator] = await Promise.all([
    read<bigint>("totalSupply", [], token, keyLedgerTokenAbi),
    read<bigint>("quorumNumerator"),
    read<bigint>("quorumDenominator"),
  ]);
  const indexes = [...Array(count).keys()].reverse();
  return Promise.all(
    indexes.map(async (index) => {
      const [proposalId, targets, values, calldatas, descriptionHash] = await read<[bigint, Address[], bigint[], Hex[], Hex]>("proposalDetailsAt", [BigInt(index)]);
      const [state, proposer, snapshot, deadline, eta, votes, hasVoted] = await Promise.all([
        read<number>("state", [proposalId]),
        read<Address>("proposalProposer", [proposalId]),
        read<bigint>("proposalSnapshot", [proposalId]),
        read<bigint>("proposalDeadline", [proposalId]),
        read<bigint>("proposalEta", [proposalId]),
        read<[bigint, bigint, bigint]>("proposalVotes", [proposalId]),
        account ? read<boolean>("hasVoted", [proposalId, account]) : Promise.resolve(false),
      ]);
      const started = Number(snapshot) < now;
      const [quorum, weight] = await Promise.all([
        started ? read<bigint>("quorum", [snapshot]).catch(() => (supply * numerator) / denominator) : (supply * numerator) / denominator,
        started && account ? read<bigint>("getVotes", [account, snapshot]).catch(() => 0n) : 0n,
      ]);
      return {
        index,
        proposalId,
        state: proposalStates[state] ?? "Pending",
        proposer,
        targets,
        values,
        calldatas,
        descriptionHash,
        description: created.get(proposalId)?.description,
        snapshot: Number(snapshot),
        deadline: Number(deadline),
        eta: Number(eta),
        votes: { against: votes[0], for: votes[1], abstain: votes[2] },
        quorum,
        hasVoted,
        weight,
      } satisfies Proposal;
    }),
  );
}
