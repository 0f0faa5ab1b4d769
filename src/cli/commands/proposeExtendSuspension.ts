import { encodeFunctionData } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { earliestExecution, proposeRegistryCall } from "../governor.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatDuration, formatTime, parseDuration, parseKeyId, parseTime } from "../parse.ts";
import { readKeyRecord, readOwnerRevoked } from "../registry.ts";

export const proposeExtendSuspension: Command = {
  name: "propose-extend-suspension",
  summary: "propose to the DAO that it keep a guardian's suspension of a key in force longer (KeyRegistry.extendSuspension)",
  usage: ["propose-extend-suspension <keyId> --until <time|duration> [--description <text>]"],
  description: [
    "A guardian's suspension is bounded (policy.maxSuspension) and lapses on its own: the key reads",
    "active again, and no guardian can suspend it a second time. This proposal moves its end later so",
    "the DAO has time to decide (then `propose-revoke`, or let it lapse).",
    "--until takes unix seconds, an ISO 8601 date, or a duration from the chain's clock now",
    "(\"+14d\" or \"14d\"; not from the current end). It must be later than the current end.",
    "Refused before anything is sent: an unknown key, a key that is not suspended (never, lifted,",
    "lapsed or revoked), an end not later than the current one. The suspension must still be in",
    "force when the proposal executes: a warning says so when it lapses before the earliest execution",
    "(voting delay + voting period + timelock delay from now), since execution would then revert.",
  ],
  options: {
    until: { type: "string", value: "<time|duration>", description: "new end of the suspension: unix seconds, ISO 8601, +<duration> or <duration> from now (required)" },
    description: {
      type: "string",
      value: "<text>",
      description: "proposal description (default: \"Extend the suspension of key <keyId> until <time>\"); \"#proposer=<your address>\" is appended",
    },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: [
    "keyledger propose-extend-suspension 0x3f...a1 --until 14d --dev-account 0",
    "keyledger propose-extend-suspension 0x3f...a1 --until 2026-12-31T00:00:00Z --keystore me.json",
  ],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const untilText = typeof values.until === "string" && values.until.trim() ? values.until : undefined;
    if (!untilText) throw usageError("propose-extend-suspension: --until is required (the suspension's new end).");
    const context = await connectChain({ values });
    const [record, now] = await Promise.all([readKeyRecord(context, keyId), chainNow(context)]);
    const until = /^\d+[smhdw]/.test(untilText.trim()) ? checkedNowPlus(now, untilText) : parseTime(untilText, "--until", now);
    if (record.state === 0) throw new CliError(`Key ${keyId} is not registered on this chain.`, { exitCode: exitCodes.rejected, code: "KeyNotFound" });
    if (record.state !== 2) {
      const why =
        record.state === 3
          ? (await readOwnerRevoked(context, record.owner))
            ? `it is revoked (governance revoked its owner ${record.owner})`
            : "it is revoked"
          : record.suspendedUntil !== 0 && record.suspendedUntil <= now
            ? `its suspension lapsed at ${formatTime(record.suspendedUntil)} (${formatDuration(now - record.suspendedUntil)} ago); a lapsed suspension cannot be extended`
            : "it is active";
      throw new CliError(`Key ${keyId} is not suspended: ${why}.`, { exitCode: exitCodes.rejected, code: "not-suspended" });
    }
    if (until <= record.suspendedUntil) {
      throw new CliError(`--until ${formatTime(until)} is not later than the suspension's current end, ${formatTime(record.suspendedUntil)}.`, {
        exitCode: exitCodes.usage,
        code: "usage",
        metaMessages: [`The suspension already runs ${formatDuration(record.suspendedUntil - now)} more; pick a later end.`],
      });
    }
    const earliest = await earliestExecution(context, now);
    if (record.suspendedUntil <= earliest) {
      out.note(
        `warning: the suspension lapses at ${formatTime(record.suspendedUntil)}, before this proposal can execute (${formatTime(earliest)} at the earliest); execution would then revert (the key is no longer suspended).`,
      );
    }
    const wallet = await loadWallet({ values, context });
    const written = typeof values.description === "string" ? values.description : `Extend the suspension of key ${keyId} until ${formatTime(until)}`;
    const calldata = encodeFunctionData({ abi: keyRegistryAbi, functionName: "extendSuspension", args: [keyId, until] });
    const created = await proposeRegistryCall({ context, wallet, calldata, description: written });
    const result = {
      proposalId: created.proposalId.toString(),
      action: "extendSuspension",
      keyId,
      suspendedUntil: record.suspendedUntil,
      until,
      description: created.description,
      voteStart: created.voteStart,
      voteEnd: created.voteEnd,
      earliestExecution: earliest,
      transactionHash: created.hash,
      blockNumber: Number(created.blockNumber),
    };
    out.result(
      [
        `proposed ${created.proposalId}`,
        `  action   KeyRegistry.extendSuspension(${keyId}, ${until})`,
        `           keep the key suspended until ${formatTime(until)} (now ends ${formatTime(record.suspendedUntil)})`,
        `  voting   ${formatTime(result.voteStart)} .. ${formatTime(result.voteEnd)}`,
        `  tx       ${created.hash} (block ${created.blockNumber})`,
        `next: keyledger proposal vote ${created.proposalId} --support for`,
      ],
      result,
    );
    return exitCodes.ok;
  },
};

function checkedNowPlus(now: number, text: string): number {
  return parseTime(`+${text.trim()}`, "--until", now);
}
