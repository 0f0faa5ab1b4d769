import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Address, type Hex, isHex } from "viem";
import { recordBytes, type RegistryIndexState } from "../registryIndex.ts";
import { type CheckpointHeader, CheckpointError, checkpointFormat, checkpointVersion } from "./types.ts";

export type ReadCheckpointParameters = {
  path: string;
  /** What the checkpoint must have been written for. */
  expected: { chainId: number; registry: Address; deploymentBlock: number };
};

/** undefined when there is no file at `path` (a first start). */
export type ReadCheckpointReturnType = { header: CheckpointHeader; state: RegistryIndexState } | undefined;

/**
 * Reads and checks a resolver checkpoint: its format and version, that it was
 * written for this chain, registry and deployment block, and the SHA-256 of its
 * body. Throws `CheckpointError` saying what is wrong; it never returns part of a
 * bad file. Whether its block is still on the chain is the caller's check.
 */
export async function readCheckpoint({ path, expected }: ReadCheckpointParameters): Promise<ReadCheckpointReturnType> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CheckpointError(`Cannot read checkpoint ${path}.`, { cause: error as Error, details: (error as Error).message });
  }
  const bad = (what: string) => new CheckpointError(`Checkpoint ${path} is unusable: ${what}.`);
  const newline = file.indexOf(10);
  if (newline < 0 || newline > 65_536) throw bad("no header line");
  let header: CheckpointHeader;
  try {
    header = JSON.parse(file.subarray(0, newline).toString("utf8")) as CheckpointHeader;
  } catch {
    throw bad("the header is not JSON");
  }
  if (!header || typeof header !== "object" || header.format !== checkpointFormat) throw bad("not a KeyLedger resolver checkpoint");
  if (header.version !== checkpointVersion) {
    const older = typeof header.version === "number" && header.version < checkpointVersion;
    // Older versions describe the v1 registry (no suspension bound, no revoked owners).
    throw bad(`format version ${String(header.version)}, this resolver reads version ${checkpointVersion}${older ? " (an older format, for registry v1; rebuilding from the deployment block)" : ""}`);
  }
  if (header.recordBytes !== recordBytes) throw bad(`records of ${String(header.recordBytes)} bytes, expected ${recordBytes}`);
  if (header.chainId !== expected.chainId) throw bad(`written for chain ${String(header.chainId)}, not chain ${expected.chainId}`);
  if (typeof header.registry !== "string" || header.registry.toLowerCase() !== expected.registry.toLowerCase()) {
    throw bad(`written for registry ${String(header.registry)}, not ${expected.registry}`);
  }
  if (header.deploymentBlock !== expected.deploymentBlock) throw bad(`written for deployment block ${String(header.deploymentBlock)}, not ${expected.deploymentBlock}`);
  for (const [name, value] of [["blockHash", header.blockHash], ["deploymentBlockHash", header.deploymentBlockHash]] as const) {
    if (!isHex(value) || value.length !== 66) throw bad(`${name} is not a block hash`);
  }
  if (!Number.isSafeInteger(header.blockNumber) || header.blockNumber < header.deploymentBlock) throw bad("blockNumber is not a block at or after the deployment block");
  if (!Number.isSafeInteger(header.keys) || header.keys < 0 || !Number.isSafeInteger(header.labelsBytes) || header.labelsBytes < 0) throw bad("bad sizes");
  if (!Array.isArray(header.scopeNames) || header.scopeNames.length !== 8 || !header.scopeNames.every((n) => typeof n === "string")) throw bad("scopeNames must be 8 strings");
  const policy = header.policy as unknown;
  if (policy !== null && !isPolicy(policy)) throw bad("policy must be null or { maxLifetime, maxOverlap, maxSuspension, maxKeysPerOwner, allowedAlgorithms, allowedScopes }");
  const revokedOwners = header.revokedOwners as unknown;
  if (!Array.isArray(revokedOwners) || !revokedOwners.every((o) => typeof o === "string" && /^0x[0-9a-f]{40}$/.test(o))) {
    throw bad("revokedOwners must be a list of lower-case addresses");
  }
  const body = file.subarray(newline + 1);
  const recordsLength = header.keys * recordBytes;
  if (body.length !== recordsLength + header.labelsBytes) {
    throw bad(`the body has ${body.length} bytes, the header announces ${recordsLength + header.labelsBytes} (truncated or overwritten)`);
  }
  if (createHash("sha256").update(body).digest("hex") !== header.bodySha256) throw bad("the body's SHA-256 does not match the header (corrupt)");
  let labels: unknown;
  try {
    labels = JSON.parse(body.subarray(recordsLength).toString("utf8"));
  } catch {
    throw bad("the label list is not JSON");
  }
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === "string")) throw bad("the label list is not a list of strings");
  const records = new Uint8Array(recordsLength);
  records.set(body.subarray(0, recordsLength));
  return { header: { ...header, blockHash: header.blockHash.toLowerCase() as Hex }, state: { size: header.keys, records, labels, scopeNames: header.scopeNames, policy: policy ?? undefined, revokedOwners } };
}

function isPolicy(p: unknown): p is NonNullable<CheckpointHeader["policy"]> {
  if (!p || typeof p !== "object" || Array.isArray(p)) return false;
  const o = p as Record<string, unknown>;
  const int = (v: unknown, max: number) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
  return (
    int(o.maxLifetime, 0xffffffff) &&
    int(o.maxOverlap, 0xffffffff) &&
    int(o.maxSuspension, 0xffffffff) &&
    int(o.maxKeysPerOwner, 0xffff) &&
    int(o.allowedAlgorithms, 0xff) &&
    int(o.allowedScopes, 0xff)
  );
}
