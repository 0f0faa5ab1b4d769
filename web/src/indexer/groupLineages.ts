import type { Address, Hex } from "viem";
import type { IndexedKey } from "./types.ts";

export type Lineage = { lineageId: Hex; label: string; owner: Address; versions: IndexedKey[] };

/** Keys grouped by lineage, versions in order, the most recently changed lineage first; only `owner`'s when given. */
export function groupLineages(keys: Iterable<IndexedKey>, owner?: Address): Lineage[] {
  const byLineage = new Map<Hex, IndexedKey[]>();
  for (const key of keys) {
    if (owner && key.owner.toLowerCase() !== owner.toLowerCase()) continue;
    const list = byLineage.get(key.lineageId) ?? [];
    list.push(key);
    byLineage.set(key.lineageId, list);
  }
  const latest = (l: Lineage) => l.versions.reduce((n, v) => (v.events[0] && v.events[0].blockNumber > n ? v.events[0].blockNumber : n), 0n);
  return [...byLineage.entries()]
    .map(([lineageId, versions]) => {
      versions.sort((a, b) => a.version - b.version);
      return { lineageId, label: versions[0]!.label, owner: versions[0]!.owner, versions };
    })
    .sort((a, b) => Number(latest(b) - latest(a)) || (a.lineageId < b.lineageId ? -1 : 1));
}
