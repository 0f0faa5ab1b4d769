import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Hex } from "viem";
import type { ContractName } from "../../src/chain/manifest.ts";
import { ArtifactsMissingError } from "./errors.ts";

export type ContractArtifact = {
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
  /** Byte ranges of the runtime code that the constructor fills in. */
  immutableRanges: { start: number; length: number }[];
};

export type LoadArtifactsParameters = { artifactsDir: string };
export type LoadArtifactsReturnType = Record<ContractName, ContractArtifact>;

const paths: Record<ContractName, string> = {
  KeyLedgerToken: "contracts/governance/KeyLedgerToken.sol/KeyLedgerToken.json",
  KeyLedgerTimelock: "contracts/governance/KeyLedgerTimelock.sol/KeyLedgerTimelock.json",
  KeyLedgerGovernor: "contracts/governance/KeyLedgerGovernor.sol/KeyLedgerGovernor.json",
  KeyRegistry: "contracts/KeyRegistry.sol/KeyRegistry.json",
};

/** Reads the Hardhat build output the deployment needs. */
export function loadArtifacts({ artifactsDir }: LoadArtifactsParameters): LoadArtifactsReturnType {
  const entries = Object.entries(paths).map(([name, relative]) => {
    const path = join(artifactsDir, relative);
    let json: {
      abi?: Abi;
      bytecode?: Hex;
      deployedBytecode?: Hex;
      immutableReferences?: Record<string, { start: number; length: number }[]>;
    };
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (cause) {
      throw new ArtifactsMissingError({ path, cause });
    }
    if (!Array.isArray(json.abi) || !json.bytecode || json.bytecode === "0x" || !json.deployedBytecode) {
      throw new ArtifactsMissingError({ path });
    }
    const artifact: ContractArtifact = {
      abi: json.abi,
      bytecode: json.bytecode,
      deployedBytecode: json.deployedBytecode,
      immutableRanges: Object.values(json.immutableReferences ?? {}).flat(),
    };
    return [name, artifact] as const;
  });
  return Object.fromEntries(entries) as LoadArtifactsReturnType;
}
