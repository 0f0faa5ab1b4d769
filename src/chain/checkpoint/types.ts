import type { Address, Hex } from "viem";
import { BaseError } from "../../errors/BaseError.ts";
import type { RegistryPolicy } from "../keyState/types.ts";

export const checkpointFormat = "keyledger-resolver-checkpoint";
/**
 * 3: registry v2 (owner-namespaced ids, bounded suspensions, revoked owners, the
 * policy's maxSuspension and maxKeysPerOwner). 2 carried the v1 policy; older files
 * are rejected and the index is rebuilt from the deployment block.
 */
export const checkpointVersion = 3;

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
  policy: RegistryPolicy | null;
  /** Owners governance revoked (lower-case addresses): all their keys are revoked. */
  revokedOwners: string[];
  /** SHA-256 (hex) of the body (records then labels). */
  bodySha256: string;
  /** ms since the epoch. */
  writtenAt: number;
};

/** A checkpoint file that cannot be used (corrupt, another chain or registry, or not on the chain any more). */
export class CheckpointError extends BaseError {
  override name = "CheckpointError";
}
