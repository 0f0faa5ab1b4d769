import { encodeFunctionData, parseEventLogs } from "viem";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../generated/abis.ts";
import { ProposerSuffixMismatchError, withProposerSuffix } from "../../governance/withProposerSuffix.ts";
import { CliError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime, parseKeyId } from "../parse.ts";
import { readKeyRecord } from "../registry.ts";
import { transact } from "../transact.ts";

export const proposeRevoke: Command = {
  name: "propose-revoke",
  summary: "propose to the DAO that it revoke any key (KeyRegistry.governanceRevoke through the timelock)",
  usage: ["propose-revoke <keyId> --reason <text> [--description <text>]"],
  description: [
    "Then: `proposal vote <id>` while voting is open, `proposal queue <id>` once it succeeded,",
    "`proposal execute <id>` after the timelock delay. `proposal show <id>` tells where it stands.",
  ],
  options: {
    reason: { type: "string", value: "<text>", description: "reason recorded in the KeyRevoked event (required)" },
    description: {
      type: "string",
      value: "<text>",
      description: "proposal description (default: \"Revoke key <keyId>: <reason>\"); \"#proposer=<your address>\" is appended so nobody else can submit a copy",
    },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: [
    "keyledger propose-revoke 0x3f...a1 --reason \"abusive trading bot\" --dev-account 0",
    "keyledger proposal vote <proposalId> --support for --dev-account 0",
  ],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const reason = typeof values.reason === "string" && values.reason ? values.reason : undefined;
    if (!reason) throw new CliError("propose-revoke: --reason is required (voters need to know why).", { exitCode: exitCodes.usage, code: "usage" });
    const written = typeof values.description === "string" ? values.description : `Revoke key ${keyId}: ${reason}`;
    const context = await connectChain({ values });
    const record = await readKeyRecord(context, keyId);
    if (record.state === 0) throw new CliError(`Key ${keyId} is not registered on this chain.`, { exitCode: exitCodes.rejected, code: "KeyNotFound" });
    if (record.state === 3) throw new CliError(`Key ${keyId} is already revoked.`, { exitCode: exitCodes.rejected, code: "already-revoked" });
    const wallet = await loadWallet({ values, context });
    let description: string;
    try {
      description = withProposerSuffix({ description: written, proposer: wallet.address });
    } catch (error) {
      if (error instanceof ProposerSuffixMismatchError) {
        throw new CliError(error.shortMessage, { exitCode: exitCodes.usage, code: "usage", metaMessages: error.metaMessages });
      }
      throw error;
    }
    const calldata = encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevoke", args: [keyId, reason] });
    const { hash, receipt } = await transact({
      context,
      wallet,
      address: context.governor,
      abi: keyLedgerGovernorAbi,
      functionName: "propose",
      args: [[context.registry], [0n], [calldata], description],
    });
    const created = parseEventLogs({ abi: keyLedgerGovernorAbi, logs: receipt.logs, eventName: "ProposalCreated" })[0];
    if (!created) throw new CliError(`Transaction ${hash} emitted no ProposalCreated event.`, { exitCode: exitCodes.internal, code: "internal" });
    const { proposalId, voteStart, voteEnd } = created.args;
    const result = {
      proposalId: proposalId.toString(),
      keyId,
      reason,
      description,
      voteStart: Number(voteStart),
      voteEnd: Number(voteEnd),
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    };
    out.result(
      [
        `proposed ${proposalId}`,
        `  action   KeyRegistry.governanceRevoke(${keyId}, ${JSON.stringify(reason)})`,
        `  voting   ${formatTime(result.voteStart)} .. ${formatTime(result.voteEnd)}`,
        `  tx       ${hash} (block ${receipt.blockNumber})`,
        `next: keyledger proposal vote ${proposalId} --support for`,
      ],
      result,
    );
    return exitCodes.ok;
  },
};
