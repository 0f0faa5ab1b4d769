import { keyLedgerGovernorAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { parseProposalId } from "../governor.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime } from "../parse.ts";
import { transact } from "../transact.ts";

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
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const { hash, receipt } = await transact({
      context,
      wallet,
      address: context.governor,
      abi: keyLedgerGovernorAbi,
      functionName: "queue",
      args: [proposalId],
    });
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
