import { type Address, type Hex, pad } from "viem";
import type { ChainContext } from "./connectChain.ts";
import { fetchRegistryLogs, ownerKeysByLabel, readKeyRecord, topic } from "./registry.ts";

export type ReleasableLineagesParameters = { context: ChainContext; owner: Address };

/**
 * `owner`'s revoked lineage heads whose place under the per-owner cap has not been
 * given back yet: what `releaseKeys` would release. Revocation leaves the owner's
 * count alone (lazy release, issue 9), so these still count against `maxKeysPerOwner`.
 * Found from the owner's KeyRegistered / KeyRotated / KeyReleased events and each
 * key's record (a head is a key not rotated out).
 */
export async function releasableLineages({ context, owner }: ReleasableLineagesParameters): Promise<Hex[]> {
  const ownerTopic = pad(owner.toLowerCase() as Hex, { size: 32 });
  const [labels, releasedLogs] = await Promise.all([
    ownerKeysByLabel(context, owner),
    fetchRegistryLogs(context, { topics: [topic("KeyReleased"), null, ownerTopic] }),
  ]);
  const released = new Set(releasedLogs.flatMap((l) => (l.eventName === "KeyReleased" ? [l.args.keyId.toLowerCase()] : [])));
  const ids = [...labels.keys()].filter((id) => !released.has(id.toLowerCase()));
  const records = await Promise.all(ids.map((id) => readKeyRecord(context, id)));
  // getKey reads a revoked owner's keys as revoked; their count is 0 already (release skips them).
  return ids.filter((_, i) => records[i]!.state === 3 && !records[i]!.rotated);
}
