// DAO proposals, their actions and votes, from the KeyLedgerGovernor's events.
import { ponder } from "ponder:registry";
import { proposalActions, proposals, votes } from "ponder:schema";
import type { Hex } from "viem";

ponder.on("KeyLedgerGovernor:ProposalCreated", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(proposals).values({
    id: a.proposalId,
    proposer: a.proposer.toLowerCase() as Hex,
    description: a.description,
    voteStart: a.voteStart,
    voteEnd: a.voteEnd,
    status: "created",
    eta: null,
    forVotes: 0n,
    againstVotes: 0n,
    abstainVotes: 0n,
    createdBlock: event.block.number,
    createdAt: event.block.timestamp,
    transactionHash: event.transaction.hash,
    updatedBlock: event.block.number,
    voteCount: 0,
  });
  if (a.targets.length) {
    await context.db.insert(proposalActions).values(
      a.targets.map((target, index) => ({
        proposalId: a.proposalId,
        index,
        target: target.toLowerCase() as Hex,
        value: a.values[index] ?? 0n,
        signature: a.signatures[index] ?? "",
        calldata: a.calldatas[index] ?? "0x",
      })),
    );
  }
});

async function recordVote(
  { event, context }: { event: { args: { voter: Hex; proposalId: bigint; support: number; weight: bigint; reason: string }; block: { number: bigint; timestamp: bigint }; transaction: { hash: Hex } }; context: any },
) {
  const a = event.args;
  await context.db.insert(votes).values({
    proposalId: a.proposalId,
    voter: a.voter.toLowerCase() as Hex,
    support: a.support,
    weight: a.weight,
    reason: a.reason,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
  });
  const tally = a.support === 1 ? "forVotes" : a.support === 0 ? "againstVotes" : "abstainVotes";
  await context.db
    .update(proposals, { id: a.proposalId })
    .set((row: typeof proposals.$inferSelect) => ({ [tally]: row[tally] + a.weight, voteCount: row.voteCount + 1, updatedBlock: event.block.number }));
}

ponder.on("KeyLedgerGovernor:VoteCast", recordVote);
ponder.on("KeyLedgerGovernor:VoteCastWithParams", recordVote);

ponder.on("KeyLedgerGovernor:ProposalQueued", async ({ event, context }) => {
  await context.db.update(proposals, { id: event.args.proposalId }).set({
    status: "queued",
    eta: event.args.etaSeconds,
    queuedBlock: event.block.number,
    queuedTransactionHash: event.transaction.hash,
    updatedBlock: event.block.number,
  });
});

ponder.on("KeyLedgerGovernor:ProposalExecuted", async ({ event, context }) => {
  await context.db.update(proposals, { id: event.args.proposalId }).set({
    status: "executed",
    executedBlock: event.block.number,
    executedTransactionHash: event.transaction.hash,
    updatedBlock: event.block.number,
  });
});

ponder.on("KeyLedgerGovernor:ProposalCanceled", async ({ event, context }) => {
  await context.db.update(proposals, { id: event.args.proposalId }).set({
    status: "canceled",
    canceledBlock: event.block.number,
    canceledTransactionHash: event.transaction.hash,
    updatedBlock: event.block.number,
  });
});
