import type { Address, Hex } from "viem";
import type { IndexedKey, RegistryIndex } from "./registryIndex.ts";

export type Lineage = { lineageId: Hex; label: string; owner: Address; versions: IndexedKey[] };

/** The owner's keys grouped by lineage (label), versions in order, newest lineages first. */
export function lineages(index: RegistryIndex, owner?: Address): Lineage[] {
  const byLineage = new Map<Hex, IndexedKey[]>();
  for (const key of index.keys.values()) {
    if (owner && key.owner.toLowerCase() !== owner.toLowerCase()) continue;
    const list = byLineage.get(key.lineageId) ?? [];
    list.push(key);
    byLineage.set(key.lineageId, list);
  }
  return [...byLineage.entries()]
    .map(([lineageId, versions]) => {
      versions.sort((a, b) => a.version - b.version);
      return { lineageId, label: versions[0]!.label, owner: versions[0]!.owner, versions };
    })
    .sort((a, b) => {
      const last = (l: Lineage) => l.versions[l.versions.length - 1]!.events[0]!.blockNumber;
      return Number(last(b) - last(a));
    });
}
