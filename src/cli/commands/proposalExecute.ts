import { type Hex, parseEventLogs } from "viem";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { describeCall, describeCallInWords, parseProposalId, sendGovernorTransaction } from "../governor.ts";
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
    // What the proposal did, in words (GovernorStorage keeps its calls after execution).
    const details = (await context.client
      .readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName: "proposalDetails", args: [proposalId] } as never)
      .catch(() => undefined)) as readonly [readonly Hex[], readonly bigint[], readonly Hex[], Hex] | undefined;
    const actions = details ? details[0].map((t, i) => describeCallInWords(context, t, details[2][i]!) ?? describeCall(context, t, details[2][i]!)) : [];
    out.result(
      [`executed ${proposalId}`, ...actions.map((a) => `  did   ${a}`), ...effects.map((e) => `  ${e.human}`), `  tx ${hash} (block ${receipt.blockNumber})`],
      { proposalId: proposalId.toString(), actions, effects: effects.map((e) => e.data), transactionHash: hash, blockNumber: Number(receipt.blockNumber) },
    );
    return exitCodes.ok;
  },
};
