import type { Address, Hex } from "viem";
import { BaseError } from "../../errors/BaseError.ts";

export const checkpointFormat = "keyledger-resolver-checkpoint";
/** 2: the header carries the live policy (issue 9); version 1 files are rejected and rebuilt. */
export const checkpointVersion = 2;

/** The first line of a checkpoint file (JSON); the binary body follows (see docs/resolver.md). */
export type CheckpointHeader = {
  format: typeof checkpointFormat;
  version: typeof checkpointVersion;
  chainId: number;
  /** Lower-case registry address. */
  registry: Address;
  deploymentBlock: number;
  deploymentBlockHash: Hex;
  /** The block the index reflects, and its hash: checked against the chain on load. */
  blockNumber: number;
  blockHash: Hex;
  keys: number;
  recordBytes: number;
  /** Bytes of the JSON label list after the records. */
  labelsBytes: number;
  scopeNames: string[];
  /** The live policy (null before the first PolicyUpdated): keys are judged against it. */
  policy: { maxLifetime: number; maxOverlap: number; allowedAlgorithms: number; allowedScopes: number } | null;
  /** SHA-256 (hex) of the body (records then labels). */
  bodySha256: string;
  /** ms since the epoch. */
  writtenAt: number;
};

/** A checkpoint file that cannot be used (corrupt, another chain or registry, or not on the chain any more). */
export class CheckpointError extends BaseError {
  override name = "CheckpointError";
}
