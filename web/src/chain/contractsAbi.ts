import type { Abi } from "viem";
import { keyLedgerGovernorAbi, keyLedgerTimelockAbi, keyLedgerTokenAbi, keyRegistryAbi } from "../../../src/generated/abis.ts";

/**
 * Every custom error of the deployment. A governor `execute` reverts with the
 * registry's error bubbled up through the timelock, so decoding needs them all.
 */
type AbiError = Extract<Abi[number], { type: "error" }>;

export const errorsAbi: readonly AbiError[] = dedupe(
  ([...keyRegistryAbi, ...keyLedgerGovernorAbi, ...keyLedgerTimelockAbi, ...keyLedgerTokenAbi] as Abi).filter(
    (item): item is AbiError => item.type === "error",
  ),
);

function dedupe(errors: AbiError[]): AbiError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const signature = `${e.name}(${e.inputs.map((i) => i.type).join(",")})`;
    if (seen.has(signature)) return false;
    seen.add(signature);
    return true;
  });
}

/** `abi` plus the deployment's errors (for simulating and decoding reverts). */
export function withErrors(abi: Abi): Abi {
  return [...abi, ...errorsAbi];
}
