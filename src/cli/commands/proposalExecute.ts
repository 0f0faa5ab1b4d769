import { parseEventLogs } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { parseProposalId, sendGovernorTransaction } from "../governor.ts";
import { describeEvent, readScopeNames } from "../registry.ts";

export const proposalExecute: Command = {
  name: "proposal execute",
  summary: "execute a queued DAO proposal once the timelock delay has passed",
  usage: ["proposal execute <proposalId>"],
  options: {},
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: ["keyledger proposal execute 4242...17 --dev-account 0"],
  async run({ values, positionals, out }) {
    const proposalId = parseProposalId(positionals[0]);
    const { context, hash, receipt } = await sendGovernorTransaction({ values, functionName: "execute", args: [proposalId] });
    const scopeNames = await readScopeNames(context);
    const registryLogs = receipt.logs.filter((l) => l.address.toLowerCase() === context.registry.toLowerCase());
    const effects = parseEventLogs({ abi: keyRegistryAbi, logs: registryLogs }).map((l) => describeEvent(l, scopeNames));
    out.result(
      [`executed ${proposalId}`, ...effects.map((e) => `  ${e.human}`), `  tx ${hash} (block ${receipt.blockNumber})`],
      { proposalId: proposalId.toString(), effects: effects.map((e) => e.data), transactionHash: hash, blockNumber: Number(receipt.blockNumber) },
    );
    return exitCodes.ok;
  },
};
