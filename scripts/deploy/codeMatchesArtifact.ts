import type { Hex } from "viem";
import type { ContractArtifact } from "./loadArtifacts.ts";

export type CodeMatchesArtifactParameters = { code: Hex | undefined; artifact: ContractArtifact };

/**
 * Whether on-chain runtime code is exactly what the current artifacts would deploy.
 * Immutables differ per deployment, so their byte ranges are ignored; everything
 * else, including the metadata hash of the sources, must be identical, so any
 * recompiled change to a contract counts as a different contract.
 */
export function codeMatchesArtifact({ code, artifact }: CodeMatchesArtifactParameters): boolean {
  if (!code || code === "0x") return false;
  const expected = artifact.deployedBytecode.toLowerCase();
  const actual = code.toLowerCase();
  if (actual.length !== expected.length) return false;
  return mask(actual, artifact.immutableRanges) === mask(expected, artifact.immutableRanges);
}

function mask(code: string, ranges: ContractArtifact["immutableRanges"]): string {
  let out = code;
  for (const { start, length } of ranges) {
    // +2 skips the 0x prefix; two hex characters per byte.
    const from = 2 + start * 2;
    out = out.slice(0, from) + "0".repeat(length * 2) + out.slice(from + length * 2);
  }
  return out;
}
