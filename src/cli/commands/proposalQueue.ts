import { keyLedgerGovernorAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { parseProposalId, sendGovernorTransaction } from "../governor.ts";
import { formatTime } from "../parse.ts";

export const proposalQueue: Command = {
  name: "proposal queue",
  summary: "queue a succeeded DAO proposal in the timelock",
  usage: ["proposal queue <proposalId>"],
  options: {},
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: ["keyledger proposal queue 4242...17 --dev-account 0"],
  async run({ values, positionals, out }) {
    const proposalId = parseProposalId(positionals[0]);
    const { context, hash, receipt } = await sendGovernorTransaction({ values, functionName: "queue", args: [proposalId] });
    let eta: number;
    try {
      eta = Number(
        await context.client.readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName: "proposalEta", args: [proposalId] }),
      );
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    out.result(
      [`queued ${proposalId}`, `  executable at ${formatTime(eta)}`, `  tx ${hash} (block ${receipt.blockNumber})`, `next: keyledger proposal execute ${proposalId}`],
      { proposalId: proposalId.toString(), eta, transactionHash: hash, blockNumber: Number(receipt.blockNumber) },
    );
    return exitCodes.ok;
  },
};
