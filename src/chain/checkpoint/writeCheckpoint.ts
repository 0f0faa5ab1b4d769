import { createHash, randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { BaseError } from "../../errors/BaseError.ts";
import { recordBytes, type RegistryIndexState } from "../registryIndex.ts";
import { type CheckpointHeader, checkpointFormat, checkpointVersion } from "./types.ts";

export type WriteCheckpointParameters = {
  path: string;
  header: Omit<CheckpointHeader, "format" | "version" | "keys" | "recordBytes" | "labelsBytes" | "scopeNames" | "policy" | "revokedOwners" | "bodySha256" | "writtenAt">;
  state: RegistryIndexState;
  now?: (() => number) | undefined;
};

export type WriteCheckpointReturnType = { header: CheckpointHeader; bytes: number };

const chunk = 4 << 20;

/**
 * Writes a resolver checkpoint atomically: a temporary file in the same directory,
 * fsynced, then renamed over `path`, so a crash leaves the old checkpoint or the new
 * one, never half of one. Hashing and writing go in 4 MB steps so a large index does
 * not hold the event loop.
 */
export async function writeCheckpoint({ path, header, state, now = Date.now }: WriteCheckpointParameters): Promise<WriteCheckpointReturnType> {
  if (typeof path !== "string" || path === "") throw new BaseError("writeCheckpoint: path must be a file path.");
  const labels = Buffer.from(JSON.stringify(state.labels), "utf8");
  const hash = createHash("sha256");
  for (let at = 0; at < state.records.length; at += chunk) {
    hash.update(state.records.subarray(at, at + chunk));
    await new Promise((resolve) => setImmediate(resolve));
  }
  hash.update(labels);
  const full: CheckpointHeader = {
    format: checkpointFormat,
    version: checkpointVersion,
    ...header,
    registry: header.registry.toLowerCase() as CheckpointHeader["registry"],
    keys: state.size,
    recordBytes,
    labelsBytes: labels.length,
    scopeNames: [...state.scopeNames],
    policy: state.policy ? { ...state.policy } : null,
    revokedOwners: [...state.revokedOwners],
    bodySha256: hash.digest("hex"),
    writtenAt: now(),
  };
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const file = await open(tmp, "w", 0o600);
  try {
    await file.write(`${JSON.stringify(full)}\n`);
    for (let at = 0; at < state.records.length; at += chunk) await file.write(state.records.subarray(at, at + chunk));
    await file.write(labels);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await file.close();
  await rename(tmp, path).catch(async (error: unknown) => {
    await unlink(tmp).catch(() => {});
    throw error;
  });
  return { header: full, bytes: state.records.length + labels.length };
}
