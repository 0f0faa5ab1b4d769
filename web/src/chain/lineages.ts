import type { Address } from "viem";
import { groupLineages, type Lineage, type RegistryIndex } from "../indexer/index.ts";

export type { Lineage };

/** The owner's keys grouped by lineage (label), versions in order, newest lineages first. */
export function lineages(index: RegistryIndex, owner?: Address): Lineage[] {
  return groupLineages(index.keys.values(), owner);
}
