import { usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { parseProposalId, sendGovernorTransaction } from "../governor.ts";

// GovernorCountingSimple's vote types.
const supports = { against: 0, for: 1, abstain: 2 } as const;

export const proposalVote: Command = {
  name: "proposal vote",
  summary: "vote on a DAO proposal with your wallet's delegated KLG voting power",
  usage: ["proposal vote <proposalId> --support for|against|abstain [--reason <text>]"],
  options: {
    support: { type: "string", value: "<for|against|abstain>", description: "your vote" },
    reason: { type: "string", value: "<text>", description: "reason recorded with the vote" },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: ["keyledger proposal vote 4242...17 --support for --reason \"key leaked\" --dev-account 1"],
  async run({ values, positionals, out }) {
    const proposalId = parseProposalId(positionals[0]);
    const supportName = requireString(values, "support", "proposal vote");
    if (!(supportName in supports)) throw usageError(`proposal vote: --support must be for, against or abstain, not "${supportName}".`);
    const support = supports[supportName as keyof typeof supports];
    const reason = typeof values.reason === "string" ? values.reason : undefined;
    const { wallet, hash, receipt } = await sendGovernorTransaction({
      values,
      functionName: reason === undefined ? "castVote" : "castVoteWithReason",
      args: reason === undefined ? [proposalId, support] : [proposalId, support, reason],
    });
    out.result([`voted ${supportName} on ${proposalId} as ${wallet.address}`, `  tx ${hash} (block ${receipt.blockNumber})`], {
      proposalId: proposalId.toString(),
      support: supportName,
      voter: wallet.address,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    });
    return exitCodes.ok;
  },
};
