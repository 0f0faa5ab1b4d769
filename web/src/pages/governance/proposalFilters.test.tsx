// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { getAddress, parseEther } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { mergeProposals, type Proposal, type ProposalState } from "../../chain/readProposals.ts";
import { toIndexedProposals, toIndexedVotes } from "../../indexer/index.ts";
import { FilteredProposals, filterProposals, proposalTitle } from "./ProposalFilters.tsx";

afterEach(cleanup);

const proposal = (id: number, state: ProposalState, description: string) => ({ proposalId: BigInt(id), state, description });
const all = [
  proposal(1, "Pending", "# Appoint a guardian\n\nOps wants a second guardian."),
  proposal(2, "Active", "# Revoke key 0x12\n\nLeaked in a CI log."),
  proposal(3, "Succeeded", "# Raise the overlap\n\nRotations need longer."),
  proposal(4, "Queued", "# Name scope 3\n\nCall it admin."),
  proposal(5, "Executed", "# Revoke key 0x34\n\nLaptop lost."),
  proposal(6, "Defeated", "# Remove the guardian\n\nNo reason."),
  proposal(7, "Canceled", "# Lift the suspension\n\nA mistake."),
  proposal(8, "Expired", "# Old policy"),
];

function List() {
  return (
    <FilteredProposals proposals={all}>
      {(shown) => (
        <ul>
          {shown.map((p) => (
            <li key={p.proposalId.toString()}>{proposalTitle(p.description)}</li>
          ))}
        </ul>
      )}
    </FilteredProposals>
  );
}
const titles = () => screen.queryAllByRole("listitem").map((li) => li.textContent);

describe("proposal filters and search", () => {
  it("filters by state; succeeded includes queued, defeated includes expired", () => {
    const ids = (filter: Parameters<typeof filterProposals>[1]) => filterProposals(all, filter, "").map((p) => Number(p.proposalId));
    expect(ids("all")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ids("pending")).toEqual([1]);
    expect(ids("active")).toEqual([2]);
    expect(ids("succeeded")).toEqual([3, 4]);
    expect(ids("executed")).toEqual([5]);
    expect(ids("defeated")).toEqual([6, 8]);
    expect(ids("cancelled")).toEqual([7]);
  });

  it("searches title and description, case-insensitively, every word", () => {
    const ids = (search: string) => filterProposals(all, "all", search).map((p) => Number(p.proposalId));
    expect(ids("REVOKE")).toEqual([2, 5]);
    expect(ids("laptop")).toEqual([5]);
    expect(ids("revoke ci")).toEqual([2]);
    expect(ids("guardian")).toEqual([1, 6]);
    expect(ids("  ")).toHaveLength(8);
    expect(ids("nothing like this")).toEqual([]);
  });

  it("shows counts per state, narrows the list on a click and a search, and says when nothing matches", () => {
    render(<List />);
    expect(titles()).toHaveLength(8);
    expect(screen.getByTestId("proposal-filter-succeeded").textContent).toBe("Succeeded / queued (2)");
    expect(screen.getByTestId("proposal-filter-all").getAttribute("aria-checked")).toBe("true");

    fireEvent.click(screen.getByTestId("proposal-filter-succeeded"));
    expect(screen.getByTestId("proposal-filter-succeeded").getAttribute("aria-checked")).toBe("true");
    expect(titles()).toEqual(["Raise the overlap", "Name scope 3"]);

    fireEvent.click(screen.getByTestId("proposal-filter-all"));
    fireEvent.change(screen.getByLabelText("Search title and description"), { target: { value: "revoke" } });
    expect(titles()).toEqual(["Revoke key 0x12", "Revoke key 0x34"]);
    // The counts follow the search.
    expect(screen.getByTestId("proposal-filter-executed").textContent).toBe("Executed (1)");
    expect(screen.getByTestId("proposal-filter-pending").textContent).toBe("Pending (0)");

    fireEvent.click(screen.getByTestId("proposal-filter-executed"));
    expect(titles()).toEqual(["Revoke key 0x34"]);
    fireEvent.click(screen.getByTestId("proposal-filter-cancelled"));
    expect(titles()).toEqual([]);
    expect(screen.getByTestId("no-matching-proposals").textContent).toBe("No proposals match “revoke” in cancelled.");
  });
});

describe("proposals from the indexer's rows", () => {
  const proposer = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  const registry = "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9";
  const rows = [
    {
      id: "22", proposer, description: "# Second", vote_start: "1700000100", vote_end: "1700000200", status: "queued", eta: "1700000300",
      for_votes: parseEther("3").toString(), against_votes: "0", abstain_votes: parseEther("1").toString(), vote_count: 2,
      created_block: "40", transaction_hash: "0xaa", queued_block: "45", executed_block: null, canceled_block: null,
    },
    {
      id: "11", proposer, description: "# First", vote_start: "1700000000", vote_end: "1700000050", status: "created", eta: null,
      for_votes: "0", against_votes: "0", abstain_votes: "0", vote_count: 0, created_block: "30", transaction_hash: "0xbb", queued_block: null, executed_block: null, canceled_block: null,
    },
  ];
  const actions = [
    { proposal_id: "22", index: 0, target: registry, value: "0", calldata: "0x01" },
    { proposal_id: "22", index: 1, target: registry, value: "5", calldata: "0x02" },
  ];

  it("maps proposals, actions, tallies and transitions; the chain's state wins where read", () => {
    const indexed = toIndexedProposals(rows, actions);
    expect(indexed[0]).toMatchObject({
      proposalId: 22n,
      proposer: getAddress(proposer),
      status: "queued",
      eta: 1700000300,
      voteCount: 2,
      votes: { for: parseEther("3"), against: 0n, abstain: parseEther("1") },
      actions: [{ target: getAddress(registry), value: 0n, calldata: "0x01" }, { target: getAddress(registry), value: 5n, calldata: "0x02" }],
      createdBlock: 40n,
      queuedBlock: 45n,
      executedBlock: undefined,
    });
    expect(indexed[1]!.actions).toEqual([]);
    const merged: Proposal[] = mergeProposals(indexed, new Map([[11n, { state: "Defeated" as const, quorum: parseEther("4"), hasVoted: false, weight: 0n }]]));
    expect(merged.map((p) => [p.proposalId, p.state, p.index])).toEqual([[22n, "Queued", 1], [11n, "Defeated", 0]]);
    expect(merged[0]!.targets).toEqual([getAddress(registry), getAddress(registry)]);
    expect(merged[0]!.values).toEqual([0n, 5n]);
    expect(merged[1]!.quorum).toBe(parseEther("4"));
  });

  it("maps votes with reason, block and transaction", () => {
    expect(toIndexedVotes([{ voter: proposer, support: 2, weight: "7", reason: "why not", block_number: "41", timestamp: "1700000150", transaction_hash: "0xcc" }])).toEqual([
      { voter: getAddress(proposer), support: 2, weight: 7n, reason: "why not", blockNumber: 41n, timestamp: 1700000150, transactionHash: "0xcc" },
    ]);
  });
});
