import { policyChanges } from "../chain/policyChanges.ts";
import type { RegistryPolicy } from "../indexer/index.ts";

export type PolicyDiffProps = {
  proposed: RegistryPolicy;
  /** The policy to compare with; undefined while it is being read (or unknown). */
  current: RegistryPolicy | undefined;
  scopeNames: readonly string[];
  /** The column naming `current`: "Current", or "Before" for a proposal already executed. */
  currentLabel: string;
};

/**
 * A policy change side by side: every field's value in force and the proposed one,
 * the fields that change marked in words as well as colour (and what a set gains or
 * loses), since `setPolicy` replaces the whole policy and the summary line hides which part moves.
 */
export function PolicyDiff({ proposed, current, scopeNames, currentLabel }: PolicyDiffProps) {
  const rows = policyChanges({ current, proposed, scopeNames });
  const count = rows.filter((r) => r.changed).length;
  return (
    // Stacked on a narrow screen (table.responsive) rather than scrolled: nothing to reach by keyboard.
    <table className="policy-diff responsive" data-testid="policy-diff">
      <caption>
        Policy: {currentLabel.toLowerCase()} and proposed
        {current && ` (${count === 0 ? "no field changes" : `${count} ${count === 1 ? "field changes" : "fields change"}`})`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{currentLabel}</th>
          <th scope="col">Proposed</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.field} className={r.changed ? "changed" : undefined} data-field={r.field} data-changed={r.changed}>
            <th scope="row">{r.label}</th>
            <td data-label={currentLabel}>{r.current ?? <span className="muted">unknown</span>}</td>
            <td data-label="Proposed">
              {r.changed ? <strong>{r.proposed}</strong> : r.proposed}{" "}
              {r.changed ? <span className="badge change">changes</span> : current && <span className="muted">(unchanged)</span>}
              {(r.added.length > 0 || r.removed.length > 0) && (
                <small className="policy-delta">
                  <br />
                  {[r.added.length > 0 && `adds ${r.added.join(", ")}`, r.removed.length > 0 && `removes ${r.removed.join(", ")}`].filter(Boolean).join("; ")}
                </small>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
