import { keyLedgerGovernorAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { fetchProposals, proposalStates } from "../governor.ts";

export const proposalList: Command = {
  name: "proposal list",
  summary: "list the DAO's proposals with their states",
  usage: ["proposal list"],
  options: {},
  groups: ["chain"],
  maxPositionals: 0,
  examples: ["keyledger proposal list --json"],
  async run({ values, out }) {
    const context = await connectChain({ values });
    const proposals = await fetchProposals(context);
    let states: number[];
    try {
      states = await Promise.all(
        proposals.map((p) =>
          context.client.readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName: "state", args: [p.proposalId] }),
        ),
      );
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    const rows = proposals.map((p, i) => ({
      proposalId: p.proposalId.toString(),
      state: proposalStates[states[i]!] ?? `state ${states[i]}`,
      proposer: p.proposer,
      description: p.description,
      blockNumber: Number(p.blockNumber),
    }));
    out.result(
      rows.length ? rows.map((r) => `${r.proposalId} ${r.state.padEnd(9)} ${JSON.stringify(r.description)}`) : ["no proposals"],
      rows,
    );
    return exitCodes.ok;
  },
};
