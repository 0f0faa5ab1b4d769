import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult } from "viem";

export type RevertErrorReturnType = { errorName: string; args: readonly unknown[] };

/**
 * Awaits a contract call that must revert and decodes the custom error with
 * `abi`. Pass every contract's ABI the revert may come from: a governor call that
 * fails inside the timelock reverts with the timelock's error.
 */
export async function revertError(call: Promise<unknown>, abi: Abi): Promise<RevertErrorReturnType> {
  let error: unknown;
  try {
    await call;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error("expected the call to revert, but it succeeded");
  const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
  const raw = reverted instanceof ContractFunctionRevertedError ? reverted.raw : undefined;
  if (!raw || raw === "0x") throw error;
  const decoded = decodeErrorResult({ abi, data: raw });
  return { errorName: decoded.errorName, args: decoded.args ?? [] };
}
