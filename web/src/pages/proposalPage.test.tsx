// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { parseEther } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { whyDefeated } from "../chain/proposalOutcome.ts";
import { parseRoute } from "../useHashRoute.ts";
import { VotersList } from "./ProposalPage.tsx";

afterEach(cleanup);

const tally = (f: string, a: string, ab: string) => ({ for: parseEther(f), against: parseEther(a), abstain: parseEther(ab) });

describe("proposal detail", () => {
  it("is routed as #/proposal/<decimal id>", () => {
    expect(parseRoute("#/proposal/123456789012345678901234567890")).toEqual({ page: "proposal", param: "123456789012345678901234567890" });
  });

  it("says why a proposal was defeated: quorum, majority, or a tie", () => {
    expect(whyDefeated({ votes: tally("0", "200000", "0"), quorum: parseEther("40000") })).toEqual([
      "Quorum not reached: 0 of the 40,000 votes needed (for + abstain).",
      "More votes against (200,000) than for (0).",
    ]);
    expect(whyDefeated({ votes: tally("50000", "50000", "0"), quorum: parseEther("40000") })).toEqual([
      "A tie: 50,000 for and 50,000 against; it needs more for than against.",
    ]);
    expect(whyDefeated({ votes: tally("30000", "0", "0"), quorum: parseEther("40000") })).toEqual(["Quorum not reached: 30,000 of the 40,000 votes needed (for + abstain)."]);
  });

  it("lists voters with their vote, weight and reason", () => {
    render(
      <VotersList
        voters={[
          { voter: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", support: 1, weight: parseEther("200000"), reason: "leaked key", blockNumber: 9n, timestamp: 1_700_000_000, transactionHash: "0x01" },
          { voter: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", support: 0, weight: parseEther("1.5"), reason: "", blockNumber: 10n, timestamp: 1_700_000_012, transactionHash: "0x02" },
        ]}
      />,
    );
    const rows = screen.getAllByRole("row").slice(1).map((r) => r.textContent);
    expect(rows).toEqual(["0xf39F…2266For200,000leaked key9 0x01", "0x7099…79C8Against1.5none given10 0x02"]);
  });
});
