import { decodeFunctionData, type Hex } from "viem";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../generated/abis.ts";
import { usageError } from "./CliError.ts";
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
