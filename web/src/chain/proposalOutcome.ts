import { formatUnits } from "viem";
import type { IndexedVote } from "../indexer/index.ts";
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

/** One vote as the indexer has it (the `votes` table): who, how, weight, reason, block and transaction. */
export type Voter = IndexedVote;
