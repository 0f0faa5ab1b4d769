// @vitest-environment jsdom
// ProposalCard: a setPolicy action shown against the policy in force, field by field,
// and heading levels that fit where the card is (list or its own page).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import { type Address, encodeFunctionData, type Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { policyChanges } from "../../chain/policyChanges.ts";
import type { Proposal } from "../../chain/readProposals.ts";
import type { RegistryPolicy } from "../../indexer/index.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import { ProposalCard } from "./ProposalCard.tsx";

vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => ({ getConnection: () => ({ isConnected: false }), writeContract: vi.fn() }));

afterEach(cleanup);

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const names = ["read", "trade", "withdraw", "admin", "", "", "", ""];
const day = 86_400;
// Ed25519 (bit 1), P-256 (bit 2), secp256k1 (bit 3); scopes read, trade, withdraw.
const live: RegistryPolicy = { maxLifetime: 365 * day, maxOverlap: 30 * day, maxSuspension: 14 * day, maxKeysPerOwner: 1_000, allowedAlgorithms: 0b1110, allowedScopes: 0b0111 };
// Lifetime cut to 90 days, secp256k1 dropped, admin allowed, 500 keys per owner; overlap and suspension unchanged.
const proposed: RegistryPolicy = { maxLifetime: 90 * day, maxOverlap: 30 * day, maxSuspension: 14 * day, maxKeysPerOwner: 500, allowedAlgorithms: 0b0110, allowedScopes: 0b1111 };
const setPolicy = encodeFunctionData({ abi: keyRegistryAbi, functionName: "setPolicy", args: [proposed] });

const proposal = (extra: Partial<Proposal> = {}): Proposal => ({
  index: 0,
  proposalId: 42n,
  state: "Active",
  proposer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  targets: [registry],
  values: [0n],
  calldatas: [setPolicy],
  descriptionHash: "0x00" as Hex,
  description: "Tighten the policy\n\n# Why\n\nKeys live too long.\n\n## Numbers\n\nSee the audit.",
  snapshot: 1_000,
  deadline: 2_000,
  eta: 0,
  votes: { for: 0n, against: 0n, abstain: 0n },
  voteCount: 0,
  quorum: 1n,
  hasVoted: false,
  weight: 0n,
  ...extra,
});

function renderCard(p: Proposal, headingLevel?: 2 | 3) {
  const policyBefore = vi.fn(async () => ({ ...live, maxOverlap: 7 * day }));
  const value = {
    runtime: { chainId: 31337, addresses: { KeyRegistry: registry, KeyLedgerGovernor: registry } },
    client: {},
    indexer: { url: "x", policyBefore },
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RuntimeContext.Provider value={value}>
        <ProposalCard proposal={p} registry={{ keys: new Map(), policy: live, scopeNames: names, guardians: [] }} now={1_500} headingLevel={headingLevel} />
      </RuntimeContext.Provider>
    </QueryClientProvider>,
  );
  return { policyBefore };
}

const rowsOf = () =>
  within(screen.getByTestId("policy-diff"))
    .getAllByRole("row")
    .slice(1)
    .map((row) => [row.getAttribute("data-field"), row.getAttribute("data-changed"), ...[...row.children].map((cell) => cell.textContent?.trim())]);

describe("policyChanges", () => {
  it("lists every field with its current and proposed value, what changes and what a set gains or loses", () => {
    expect(policyChanges({ current: live, proposed, scopeNames: names })).toEqual([
      { field: "maxLifetime", label: "Maximum key lifetime", current: "365 d", proposed: "90 d", changed: true, added: [], removed: [] },
      { field: "maxOverlap", label: "Maximum rotation overlap", current: "30 d", proposed: "30 d", changed: false, added: [], removed: [] },
      { field: "maxSuspension", label: "Guardian suspension lasts at most", current: "14 d", proposed: "14 d", changed: false, added: [], removed: [] },
      { field: "maxKeysPerOwner", label: "Live keys per owner (at most)", current: "1,000", proposed: "500", changed: true, added: [], removed: [] },
      {
        field: "allowedAlgorithms",
        label: "Allowed algorithms",
        current: "Ed25519, ECDSA P-256, ECDSA secp256k1",
        proposed: "Ed25519, ECDSA P-256",
        changed: true,
        added: [],
        removed: ["ECDSA secp256k1"],
      },
      { field: "allowedScopes", label: "Allowed scopes", current: "read, trade, withdraw", proposed: "read, trade, withdraw, admin", changed: true, added: ["admin"], removed: [] },
    ]);
  });

  it("without a current policy nothing is claimed to change", () => {
    expect(policyChanges({ current: undefined, proposed, scopeNames: names }).map((c) => [c.current, c.changed])).toEqual([
      [undefined, false],
      [undefined, false],
      [undefined, false],
      [undefined, false],
      [undefined, false],
      [undefined, false],
    ]);
  });
});

describe("ProposalCard", () => {
  it("shows a setPolicy proposal side by side with the current policy, the changed fields marked", () => {
    const { policyBefore } = renderCard(proposal());
    expect(screen.getByTestId("policy-diff").querySelector("caption")?.textContent).toBe("Policy: current and proposed (4 fields change)");
    expect(rowsOf()).toEqual([
      ["maxLifetime", "true", "Maximum key lifetime", "365 d", "90 d changes"],
      ["maxOverlap", "false", "Maximum rotation overlap", "30 d", "30 d (unchanged)"],
      ["maxSuspension", "false", "Guardian suspension lasts at most", "14 d", "14 d (unchanged)"],
      ["maxKeysPerOwner", "true", "Live keys per owner (at most)", "1,000", "500 changes"],
      ["allowedAlgorithms", "true", "Allowed algorithms", "Ed25519, ECDSA P-256, ECDSA secp256k1", "Ed25519, ECDSA P-256 changesremoves ECDSA secp256k1"],
      ["allowedScopes", "true", "Allowed scopes", "read, trade, withdraw", "read, trade, withdraw, admin changesadds admin"],
    ]);
    expect(policyBefore).not.toHaveBeenCalled();
  });

  it("an executed setPolicy is compared with the policy it replaced, not with itself", async () => {
    const { policyBefore } = renderCard(proposal({ state: "Executed", executedBlock: 77n }));
    await waitFor(() => expect(rowsOf()[1]).toEqual(["maxOverlap", "true", "Maximum rotation overlap", "7 d", "30 d changes"]));
    expect(policyBefore).toHaveBeenCalledWith(77n);
    expect(screen.getByRole("columnheader", { name: "Before" })).toBeTruthy();
  });

  it("titles itself h3 in the Governance list and h2 on its own page; the rationale's headings go below it", () => {
    renderCard(proposal());
    expect(screen.getByRole("heading", { level: 3, name: "Tighten the policy" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 4, name: "Why" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 5, name: "Numbers" })).toBeTruthy();
    cleanup();
    renderCard(proposal(), 2);
    expect(screen.getByRole("heading", { level: 2, name: "Tighten the policy" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 3, name: "Why" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 4, name: "Numbers" })).toBeTruthy();
  });

  it("says in words what a lineage revocation, an owner revocation and an extended suspension do", () => {
    const owner = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
    const keyId = `${owner.toLowerCase()}${"1".repeat(24)}` as Hex;
    renderCard(
      proposal({
        targets: [registry, registry, registry],
        values: [0n, 0n, 0n],
        calldatas: [
          encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeLineage", args: [keyId, "dodging"] }),
          encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeOwner", args: [owner, "botnet"] }),
          encodeFunctionData({ abi: keyRegistryAbi, functionName: "extendSuspension", args: [keyId, 1_793_700_000] }),
        ],
      }),
    );
    const items = screen.getAllByTestId("proposal-action");
    expect(items.map((li) => li.textContent)).toEqual([
      "Revoke key 0x709979…111111 and every later version of its lineage, as it stands at execution (a rotation during the vote does not escape): “dodging”",
      `Revoke every key of owner ${owner} at once and finally, and refuse the owner's new keys and rotations (cannot be undone): “botnet”`,
      "Keep key 0x709979…111111 suspended until 2026-11-03 10:00 UTC (extends a guardian's suspension)",
    ]);
    expect(within(items[0]!).getByRole("link").getAttribute("href")).toBe(`#/lookup/${keyId}`);
    expect(within(items[1]!).getByRole("link", { name: owner }).getAttribute("href")).toBe(`#/owner/${owner}`);
    expect(items[1]!.getAttribute("data-final")).toBe("true");
  });
});
