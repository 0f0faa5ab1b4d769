import { type Address, formatUnits, type PublicClient } from "viem";
import { keyLedgerGovernorAbi } from "../../../src/generated/abis.ts";
import type { Proposal } from "./readProposals.ts";

const votes = (value: bigint) => Number(formatUnits(value, 18)).toLocaleString("en-US", { maximumFractionDigits: 2 });

/**
 * Why a proposal was defeated, in words (OpenZeppelin's GovernorCountingSimple: it
 * passes with quorum reached by for + abstain votes, and strictly more for than against).
 */
export function whyDefeated(proposal: Pick<Proposal, "votes" | "quorum">): string[] {
  const reasons: string[] = [];
  const counted = proposal.votes.for + proposal.votes.abstain;
  if (counted < proposal.quorum) {
    reasons.push(`Quorum not reached: ${votes(counted)} of the ${votes(proposal.quorum)} votes needed (for + abstain).`);
  }
  if (proposal.votes.for <= proposal.votes.against) {
    reasons.push(
      proposal.votes.for === proposal.votes.against
        ? `A tie: ${votes(proposal.votes.for)} for and ${votes(proposal.votes.against)} against; it needs more for than against.`
        : `More votes against (${votes(proposal.votes.against)}) than for (${votes(proposal.votes.for)}).`,
    );
  }
  return reasons.length ? reasons : ["The vote ended without a majority for it."];
}

export type Voter = { voter: Address; support: 0 | 1 | 2; weight: bigint; reason: string; blockNumber: bigint; transactionHash: `0x${string}` };

/** Who voted on `proposalId`, how, with what weight and reason (the governor's VoteCast events), in order. */
export async function readVoters({ client, governor, fromBlock, proposalId }: { client: PublicClient; governor: Address; fromBlock: bigint; proposalId: bigint }): Promise<Voter[]> {
  const logs = await client.getContractEvents({ address: governor, abi: keyLedgerGovernorAbi, eventName: "VoteCast", fromBlock, toBlock: "latest" });
  return logs
    .map((log) => ({ log, args: log.args as { voter: Address; proposalId: bigint; support: number; weight: bigint; reason: string } }))
    .filter(({ args }) => args.proposalId === proposalId)
    .map(({ log, args }) => ({
      voter: args.voter,
      support: args.support as 0 | 1 | 2,
      weight: args.weight,
      reason: args.reason,
      blockNumber: log.blockNumber!,
      transactionHash: log.transactionHash!,
    }));
}
