import { decodeFunctionData, type Hex, parseEventLogs } from "viem";
import { keyLedgerGovernorAbi, keyLedgerTimelockAbi, keyRegistryAbi } from "../generated/abis.ts";
import { ProposerSuffixMismatchError, withProposerSuffix } from "../governance/withProposerSuffix.ts";
import { CliError, usageError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";
import { formatTime } from "./parse.ts";
import type { CommandValues } from "./command.ts";
import { type ChainContext, connectChain } from "./connectChain.ts";
import { explainError } from "./explainError.ts";
import { loadWallet, type Wallet } from "./loadWallet.ts";
import { transact, type TransactReturnType } from "./transact.ts";

export const proposalStates = ["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"] as const;

export function parseProposalId(text: string | undefined): bigint {
  if (text === undefined) throw usageError("Missing proposal id.");
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(text)) throw usageError(`"${text}" is not a proposal id (a decimal or 0x-hex number).`);
  return BigInt(text);
}

/** Connects, loads the wallet and sends one transaction to the governor. */
export async function sendGovernorTransaction({
  values,
  functionName,
  args,
}: {
  values: CommandValues;
  functionName: string;
  args: readonly unknown[];
}): Promise<TransactReturnType & { context: ChainContext; wallet: Wallet }> {
  const context = await connectChain({ values });
  const wallet = await loadWallet({ values, context });
  const sent = await transact({ context, wallet, address: context.governor, abi: keyLedgerGovernorAbi, functionName, args });
  return { ...sent, context, wallet };
}

export type ProposalCreated = {
  proposalId: bigint;
  proposer: Hex;
  description: string;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** ProposalCreated events (none of its fields is indexed, so we read them all), in block chunks. */
export async function fetchProposals(context: ChainContext): Promise<ProposalCreated[]> {
  try {
    const end = await context.client.getBlockNumber();
    const out: ProposalCreated[] = [];
    const chunk = 10_000n;
    for (let from = BigInt(context.manifest.deploymentBlock); from <= end; from += chunk) {
      const to = from + chunk - 1n < end ? from + chunk - 1n : end;
      const logs = await context.client.getContractEvents({
        address: context.governor,
        abi: keyLedgerGovernorAbi,
        eventName: "ProposalCreated",
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        out.push({
          proposalId: log.args.proposalId!,
          proposer: log.args.proposer!,
          description: log.args.description!,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
      }
    }
    return out;
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}

/** "governanceRevoke(0x.., \"leaked\")" for a call to the registry, else target + selector. */
export function describeCall(context: ChainContext, target: Hex, data: Hex): string {
  if (target.toLowerCase() === context.registry.toLowerCase()) {
    try {
      const { functionName, args } = decodeFunctionData({ abi: keyRegistryAbi, data });
      return `KeyRegistry.${functionName}(${(args ?? []).map((a) => JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).join(", ")})`;
    } catch {
      // Not a registry function: fall through to the raw form.
    }
  }
  return `${target}: ${data.slice(0, 10)}${data.length > 10 ? "..." : ""}`;
}

const quote = (text: unknown) => JSON.stringify(String(text));
const ids = (list: unknown) => (list as readonly Hex[]).join(", ");

/**
 * A registry call in words, for `proposal show` and `proposal execute` ("Revoke key 0x..
 * and every later version of its lineage ..."); undefined for calls to other contracts
 * and registry functions without words (their call form is shown instead).
 */
export function describeCallInWords(context: ChainContext, target: Hex, data: Hex): string | undefined {
  if (target.toLowerCase() !== context.registry.toLowerCase()) return undefined;
  let call: { functionName: string; args?: readonly unknown[] };
  try {
    call = decodeFunctionData({ abi: keyRegistryAbi, data });
  } catch {
    return undefined;
  }
  const a = call.args ?? [];
  switch (call.functionName) {
    case "governanceRevoke":
      return `Revoke key ${a[0]} (this version only; later versions of its lineage stay): ${quote(a[1])}`;
    case "governanceRevokeBatch":
      return `Revoke ${(a[0] as readonly Hex[]).length} key(s), skipping any already revoked: ${ids(a[0])}: ${quote(a[1])}`;
    case "governanceRevokeLineage":
      return `Revoke key ${a[0]} and every later version of its lineage, as the lineage stands at execution (a rotation during the vote does not escape): ${quote(a[1])}`;
    case "governanceRevokeOwner":
      return `Revoke owner ${a[0]}: every key of theirs, finally, and refuse their new keys and rotations (cannot be undone): ${quote(a[1])}`;
    case "extendSuspension":
      return `Extend the suspension of key ${a[0]} until ${formatTime(Number(a[1]))}`;
    case "unsuspend":
      return `Lift the suspension of key ${a[0]}`;
    case "unsuspendBatch":
      return `Lift the suspension of ${(a[0] as readonly Hex[]).length} key(s), skipping any no longer suspended: ${ids(a[0])}`;
    case "setGuardian":
      return `${a[1] ? "Appoint" : "Remove"} guardian ${a[0]}`;
    default:
      return undefined;
  }
}

/**
 * Sends `propose` for one registry call, the description carrying OpenZeppelin's
 * `#proposer=` suffix, and returns what ProposalCreated says.
 */
export async function proposeRegistryCall({
  context,
  wallet,
  calldata,
  description: written,
}: {
  context: ChainContext;
  wallet: Wallet;
  calldata: Hex;
  description: string;
}): Promise<{ proposalId: bigint; description: string; voteStart: number; voteEnd: number; hash: Hex; blockNumber: bigint }> {
  let description: string;
  try {
    description = withProposerSuffix({ description: written, proposer: wallet.address });
  } catch (error) {
    if (error instanceof ProposerSuffixMismatchError) {
      throw new CliError(error.shortMessage, { exitCode: exitCodes.usage, code: "usage", metaMessages: error.metaMessages });
    }
    throw error;
  }
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
  return {
    proposalId: created.args.proposalId,
    description,
    voteStart: Number(created.args.voteStart),
    voteEnd: Number(created.args.voteEnd),
    hash,
    blockNumber: receipt.blockNumber,
  };
}

/** The earliest time a proposal made now could execute: voting delay + period + the timelock's delay. */
export async function earliestExecution(context: ChainContext, now: number): Promise<number> {
  try {
    const [delay, period, minDelay] = await Promise.all([
      context.client.readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName: "votingDelay" }),
      context.client.readContract({ address: context.governor, abi: keyLedgerGovernorAbi, functionName: "votingPeriod" }),
      context.client.readContract({ address: context.timelock, abi: keyLedgerTimelockAbi, functionName: "getMinDelay" }),
    ]);
    return now + Number(delay) + Number(period) + Number(minDelay);
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}
