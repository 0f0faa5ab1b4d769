import type { Abi, Address, Hash, TransactionReceipt } from "viem";
import { CliError } from "./CliError.ts";
import type { ChainContext } from "./connectChain.ts";
import { exitCodes } from "./exitCodes.ts";
import { explainError } from "./explainError.ts";
import type { Wallet } from "./loadWallet.ts";

export type TransactParameters = {
  context: ChainContext;
  wallet: Wallet;
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
};

export type TransactReturnType = { hash: Hash; receipt: TransactionReceipt; result: unknown };

/**
 * Simulates first (so that a contract error is decoded and reported before any
 * gas is spent), then sends and waits for the receipt.
 */
export async function transact({ context, wallet, address, abi, functionName, args }: TransactParameters): Promise<TransactReturnType> {
  try {
    const { request, result } = await context.client.simulateContract({
      account: wallet.client.account,
      address,
      abi,
      functionName,
      args,
    } as never);
    const hash = await wallet.client.writeContract(request as never);
    const receipt = await context.client.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== "success") {
      throw new CliError(`Transaction ${hash} reverted in block ${receipt.blockNumber}.`, { exitCode: exitCodes.reverted, code: "reverted" });
    }
    return { hash, receipt, result };
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}
