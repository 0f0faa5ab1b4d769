import { keyLedgerGovernorAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { describeCall, describeCallInWords, fetchProposals, parseProposalId, proposalStates } from "../governor.ts";
import { formatTime } from "../parse.ts";

export const proposalShow: Command = {
  name: "proposal show",
  summary: "show a DAO proposal: state, actions, votes, timing and the next step",
  usage: ["proposal show <proposalId>"],
  options: {},
  groups: ["chain"],
  maxPositionals: 1,
  examples: ["keyledger proposal show 4242...17", "keyledger proposal show 4242...17 --json | jq -r .state"],
  async run({ values, positionals, out }) {
    const proposalId = parseProposalId(positionals[0]);
    const context = await connectChain({ values });
    const read = (functionName: string, args: readonly unknown[]) =>
      context.client.readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName, args } as never) as Promise<unknown>;
    let state: number;
    let details: readonly [readonly `0x${string}`[], readonly bigint[], readonly `0x${string}`[], `0x${string}`];
    let votes: readonly [bigint, bigint, bigint];
    let snapshot: bigint;
    let deadline: bigint;
    let eta: bigint;
    let proposer: `0x${string}`;
    let now: number;
    try {
      [state, details, votes, snapshot, deadline, eta, proposer, now] = (await Promise.all([
        read("state", [proposalId]),
        read("proposalDetails", [proposalId]),
        read("proposalVotes", [proposalId]),
        read("proposalSnapshot", [proposalId]),
        read("proposalDeadline", [proposalId]),
        read("proposalEta", [proposalId]),
        read("proposalProposer", [proposalId]),
        chainNow(context),
      ])) as [number, typeof details, typeof votes, bigint, bigint, bigint, `0x${string}`, number];
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    // quorum() reads past total supply, which only exists once the snapshot is in the past.
    const quorum = Number(snapshot) < now ? ((await read("quorum", [snapshot]).catch(() => undefined)) as bigint | undefined) : undefined;
    const created = (await fetchProposals(context)).find((p) => p.proposalId === proposalId);
    const stateName = proposalStates[state] ?? `state ${state}`;
    const [targets, , calldatas] = details;
    const actions = targets.map((t, i) => describeCall(context, t, calldatas[i]!));
    const actionsInWords = targets.map((t, i) => describeCallInWords(context, t, calldatas[i]!) ?? actions[i]!);
    const [against, forVotes, abstain] = votes;
    const next = {
      pending: `voting opens at ${formatTime(Number(snapshot) + 1)}`,
      active: `vote: keyledger proposal vote ${proposalId} --support for|against|abstain (closes ${formatTime(Number(deadline))})`,
      succeeded: `queue: keyledger proposal queue ${proposalId}`,
      queued: `execute at or after ${formatTime(Number(eta))}: keyledger proposal execute ${proposalId}`,
    }[stateName as string];
    const result = {
      proposalId: proposalId.toString(),
      state: stateName,
      proposer,
      description: created?.description,
      actions,
      actionsInWords,
      votes: { for: forVotes, against, abstain },
      quorum,
      voteStart: Number(snapshot),
      voteEnd: Number(deadline),
      eta: Number(eta) || undefined,
      chainTime: now,
      next,
    };
    const fmt = (v: bigint) => `${(Number(v) / 1e18).toLocaleString("en-US")} KLG`;
    out.result(
      [
        `proposal ${proposalId}: ${stateName}`,
        `  proposer    ${proposer}`,
        ...(created ? [`  description ${JSON.stringify(created.description)}`] : []),
        ...actions.flatMap((a, i) => (actionsInWords[i] === a ? [`  action      ${a}`] : [`  action      ${actionsInWords[i]}`, `              ${a}`])),
        `  votes       for ${fmt(forVotes)}, against ${fmt(against)}, abstain ${fmt(abstain)}${quorum !== undefined ? ` (quorum ${fmt(quorum)})` : ""}`,
        `  voting      ${formatTime(Number(snapshot))} .. ${formatTime(Number(deadline))}`,
        ...(eta ? [`  eta         ${formatTime(Number(eta))}`] : []),
        `  chain time  ${formatTime(now)}`,
        ...(next ? [`next: ${next}`] : []),
      ],
      result,
    );
    return exitCodes.ok;
  },
};
