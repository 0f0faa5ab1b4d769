import { algorithmFromChain } from "../../../src/keys/algorithms.ts";
import type { RegistryPolicy } from "../indexer/index.ts";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { scopeNames } from "../lib/scopeNames.ts";

export type PolicyChange = {
  field: keyof RegistryPolicy;
  label: string;
  /** The field's value now (or before the proposal ran); undefined when not known. */
  current: string | undefined;
  proposed: string;
  changed: boolean;
  /** For the algorithm and scope sets: what the proposal adds and takes away. */
  added: string[];
  removed: string[];
};

export type PolicyChangesParameters = {
  current: RegistryPolicy | undefined;
  proposed: RegistryPolicy;
  scopeNames: readonly string[];
};

const algorithmNames = (mask: number) => [1, 2, 3].filter((id) => mask & (1 << id)).map((id) => algorithmLabel(algorithmFromChain(id)));

const fields: { field: keyof RegistryPolicy; label: string; list?: (mask: number, names: readonly string[]) => string[]; text?: (value: number) => string }[] = [
  { field: "maxLifetime", label: "Maximum key lifetime", text: formatDuration },
  { field: "maxOverlap", label: "Maximum rotation overlap", text: formatDuration },
  { field: "maxSuspension", label: "Guardian suspension lasts at most", text: formatDuration },
  { field: "maxKeysPerOwner", label: "Live keys per owner (at most)", text: (n) => n.toLocaleString("en-US") },
  { field: "allowedAlgorithms", label: "Allowed algorithms", list: algorithmNames },
  { field: "allowedScopes", label: "Allowed scopes", list: scopeNames },
];

/**
 * A `setPolicy` proposal field by field against the policy in force: each value
 * before and after, whether it changes, and for the sets what is added or removed
 * (the proposal replaces the whole policy, so unchanged fields are listed too).
 */
export function policyChanges({ current, proposed, scopeNames: names }: PolicyChangesParameters): PolicyChange[] {
  return fields.map(({ field, label, list, text }) => {
    const show = (value: number) => (list ? list(value, names).join(", ") || "none" : text!(value));
    const before = current?.[field];
    const after = proposed[field];
    const beforeItems = list && before !== undefined ? list(before, names) : [];
    const afterItems = list ? list(after, names) : [];
    return {
      field,
      label,
      current: before === undefined ? undefined : show(before),
      proposed: show(after),
      changed: before !== undefined && before !== after,
      added: before === undefined ? [] : afterItems.filter((item) => !beforeItems.includes(item)),
      removed: before === undefined ? [] : beforeItems.filter((item) => !afterItems.includes(item)),
    };
  });
}
