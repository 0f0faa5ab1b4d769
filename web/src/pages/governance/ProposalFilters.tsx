import { type ReactNode, useId, useState } from "react";
import type { Proposal, ProposalState } from "../../chain/readProposals.ts";

/** The list's state filters; some group several governor states. */
export const proposalFilters = [
  { id: "all", label: "All", states: [] },
  { id: "pending", label: "Pending", states: ["Pending"] },
  { id: "active", label: "Active", states: ["Active"] },
  { id: "succeeded", label: "Succeeded / queued", states: ["Succeeded", "Queued"] },
  { id: "executed", label: "Executed", states: ["Executed"] },
  { id: "defeated", label: "Defeated", states: ["Defeated", "Expired"] },
  { id: "cancelled", label: "Cancelled", states: ["Canceled"] },
] as const satisfies readonly { id: string; label: string; states: readonly ProposalState[] }[];

export type ProposalFilterId = (typeof proposalFilters)[number]["id"];

/** The first line of a description without Markdown heading marks (the card's title). */
export function proposalTitle(description: string | undefined): string {
  return description?.split("\n")[0]?.replace(/^#+\s*/, "").trim() ?? "";
}

/** Proposals in `filter` whose title or description contains every word of `search` (case-insensitive). */
export function filterProposals<P extends Pick<Proposal, "state" | "description">>(proposals: readonly P[], filter: ProposalFilterId, search: string): P[] {
  const states: readonly ProposalState[] = proposalFilters.find((f) => f.id === filter)?.states ?? [];
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return proposals.filter((p) => {
    if (states.length > 0 && !states.includes(p.state)) return false;
    const text = (p.description ?? "").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** State filters (with counts) and a text search above the proposals; `children` renders the matches. */
export function FilteredProposals<P extends Pick<Proposal, "state" | "description" | "proposalId">>({ proposals, children }: { proposals: readonly P[]; children: (shown: P[]) => ReactNode }) {
  const [filter, setFilter] = useState<ProposalFilterId>("all");
  const [search, setSearch] = useState("");
  const searchId = useId();
  const bySearch = filterProposals(proposals, "all", search);
  const shown = filterProposals(bySearch, filter, "");
  return (
    <>
      <div className="proposal-filters" role="group" aria-label="Filter proposals">
        <div className="filter-buttons" role="radiogroup" aria-label="State">
          {proposalFilters.map((f) => {
            const count = filterProposals(bySearch, f.id, "").length;
            return (
              <button
                key={f.id}
                type="button"
                role="radio"
                aria-checked={filter === f.id}
                className={filter === f.id ? "primary" : "secondary"}
                onClick={() => setFilter(f.id)}
                data-testid={`proposal-filter-${f.id}`}
              >
                {f.label} <span className="count">({count})</span>
              </button>
            );
          })}
        </div>
        <label htmlFor={searchId}>Search title and description</label>
        <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. revoke, guardian" data-testid="proposal-search" />
      </div>
      {proposals.length > 0 && shown.length === 0 ? (
        <div className="empty" data-testid="no-matching-proposals">
          <p>No proposals match{search.trim() ? ` “${search.trim()}”` : ""}{filter !== "all" ? ` in ${proposalFilters.find((f) => f.id === filter)!.label.toLowerCase()}` : ""}.</p>
        </div>
      ) : (
        children(shown)
      )}
    </>
  );
}
