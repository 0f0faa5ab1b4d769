// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { type Address, encodeFunctionData, type Hex, type PublicClient } from "viem";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type IndexerClient, toIndexedKeys } from "../../indexer/index.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import { OwnerKeys } from "./OwnerKeys.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const owner = "0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199";
const timelock = "0x0000000000000000000000000000000000000001";
const id = (c: string) => `0x${c.repeat(64)}` as Hex;
const [k1, k2, k3, k4] = [id("1"), id("2"), id("3"), id("4")];
const tx = (c: string) => `0x${c.repeat(64)}` as Hex;

const keyRow = (keyId: Hex, extra: Record<string, unknown>) => ({
  id: keyId, owner, lineage: keyId, algorithm: 1, label: "bot", version: 1, scopes: 3, not_before: 1_000, expires_at: 100_000, state: "active",
  public_key: "0x01", proof: "0x02", predecessor: null, successor: null, created_block: "10", created_at: "1000", updated_block: "10", updated_at: "1000",
  ...extra,
});
const eventRow = (keyId: Hex, lineage: Hex, kind: string, block: number, extra: Record<string, unknown> = {}) => ({
  id: `${block}-${keyId}`, key_id: keyId, lineage, owner, kind, actor: owner, reason: null, state: "active", expires_at: 100_000, related_key_id: null,
  block_number: String(block), timestamp: String(block * 100), transaction_hash: tx(String(block % 10)), log_index: 0,
  ...extra,
});

// "bot": v1 rotated to v2, v2 revoked by the DAO (v1 still in its overlap). "old": revoked by its owner. "web": active.
const keyRows = [
  keyRow(k1, { successor: k2, expires_at: 5_000 }),
  keyRow(k2, { lineage: k1, version: 2, predecessor: k1, state: "revoked", created_block: "12" }),
  keyRow(k3, { label: "old", state: "revoked" }),
  keyRow(k4, { label: "web" }),
];
const eventRows = [
  eventRow(k1, k1, "KeyRegistered", 10),
  eventRow(k1, k1, "KeyRotated", 12, { related_key_id: k2, expires_at: 5_000 }),
  eventRow(k2, k1, "KeyRotated", 12, { related_key_id: k1 }),
  eventRow(k2, k1, "KeyRevoked", 14, { reason: "leaked", state: "revoked", actor: timelock }),
  eventRow(k3, k3, "KeyRegistered", 11),
  eventRow(k3, k3, "KeyRevoked", 15, { reason: "retired", state: "revoked" }),
  eventRow(k4, k4, "KeyRegistered", 13),
];

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function renderOwner(self: boolean, more: Partial<IndexerClient> = {}, apiUrl: string | null = null) {
  const client = { getBlock: async () => ({ number: 50n, timestamp: 2_000n }) } as unknown as PublicClient;
  const indexer: Partial<IndexerClient> = { status: async () => ({ number: 50n, timestamp: 2_000 }), ownerKeys: async () => toIndexedKeys(keyRows, eventRows), ...more };
  const value = {
    runtime: { apiUrl, addresses: { KeyLedgerTimelock: timelock, KeyRegistry: registry } },
    client,
    indexer: { url: "x", facts: async () => ({ policy: undefined, scopeNames: ["read", "trade", "", "", "", "", "", ""], guardians: [], proposalsCreated: new Map() }), ...indexer },
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return {
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <RuntimeContext.Provider value={value}>
          <OwnerKeys owner={owner as Address} self={self} />
        </RuntimeContext.Provider>
      </QueryClientProvider>,
    ),
  };
}

const row = (keyId: Hex) => document.querySelector<HTMLElement>(`[data-testid="key-row"][data-key-id="${keyId}"]`)!;

describe("My keys rows", () => {
  it("offers rotate, extend and revoke on each row, linking to the page with the key preselected", async () => {
    renderOwner(true);
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(4));
    // v1 is rotated out; its successor v2 was revoked, which ends the lineage (registry v2):
    // v1 can be neither rotated nor extended, only revoked.
    expect(within(row(k1)).queryByRole("link", { name: "Rotate bot v1" })).toBeNull();
    expect(within(row(k1)).queryByRole("link", { name: "Extend the overlap of bot v1" })).toBeNull();
    expect(within(row(k1)).getByRole("link", { name: "Revoke bot v1" }).getAttribute("href")).toBe(`#/revoke/${k1}`);
    // Revoked: no action at all.
    expect(within(row(k2)).queryAllByRole("link", { name: /^(Rotate|Extend|Revoke)/ })).toHaveLength(0);
    expect(within(row(k4)).getByRole("link", { name: "Rotate web v1" }).getAttribute("href")).toBe(`#/rotate/${k4}`);
    expect(within(row(k4)).getByRole("link", { name: "Revoke web v1" }).getAttribute("href")).toBe(`#/revoke/${k4}`);
    expect(within(row(k4)).queryByRole("link", { name: /^Extend/ })).toBeNull();
  });

  it("offers Extend on a rotated-out predecessor, opening extend overlap for that key; not where extendOverlap would revert", async () => {
    const [e1, e2, c1, c2, c3, l1, l2, s1, s2] = [id("a"), id("b"), id("c"), id("d"), id("e"), id("f"), id("0"), id("7"), id("8")];
    // now = 2,000 (chain head). "ext": v1 in its overlap, v2 the head. "chain": v1 → v2 → v3, so
    // v1 is superseded (KeySuperseded) and v2 is the head's predecessor. "lapsed": v1's overlap
    // ended (InvalidKeyState: expired). "held": v1 suspended (InvalidKeyState).
    const rows = [
      keyRow(e1, { label: "ext", successor: e2, expires_at: 5_000 }),
      keyRow(e2, { label: "ext", lineage: e1, version: 2, predecessor: e1 }),
      keyRow(c1, { label: "chain", successor: c2, expires_at: 5_000 }),
      keyRow(c2, { label: "chain", lineage: c1, version: 2, predecessor: c1, successor: c3, expires_at: 6_000 }),
      keyRow(c3, { label: "chain", lineage: c1, version: 3, predecessor: c2 }),
      keyRow(l1, { label: "lapsed", successor: l2, expires_at: 1_500 }),
      keyRow(l2, { label: "lapsed", lineage: l1, version: 2, predecessor: l1 }),
      keyRow(s1, { label: "held", successor: s2, expires_at: 5_000, state: "suspended" }),
      keyRow(s2, { label: "held", lineage: s1, version: 2, predecessor: s1 }),
    ];
    const events = rows.map((r, i) => eventRow(r.id as Hex, r.lineage as Hex, "KeyRegistered", 10 + i));
    renderOwner(true, { ownerKeys: async () => toIndexedKeys(rows, events) });
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(9));
    const extend = (keyId: Hex) => within(row(keyId)).queryByTestId("row-extend");
    expect(within(row(e1)).getByRole("link", { name: "Extend the overlap of ext v1" }).getAttribute("href")).toBe(`#/rotate/${e1}`);
    expect(within(row(c2)).getByRole("link", { name: "Extend the overlap of chain v2" }).getAttribute("href")).toBe(`#/rotate/${c2}`);
    // The heads are rotated, never extended; the others would revert.
    for (const keyId of [e2, c3, c1, l1, l2, s1, s2]) expect(extend(keyId)).toBeNull();
  });

  it("has no actions in someone else's public view", async () => {
    renderOwner(false);
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(4));
    expect(screen.queryAllByRole("link", { name: /^(Rotate|Extend|Revoke) / })).toHaveLength(0);
    expect(screen.queryByRole("columnheader", { name: "Actions" })).toBeNull();
  });

  it("offers Try it in the public view (a visitor may hold the key's file), opening the panel for that key, and nothing else", async () => {
    vi.stubGlobal("fetch", async () => new Response("", { status: 200 }));
    renderOwner(false, {}, "http://try.test/api");
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(4));
    expect(screen.getAllByRole("columnheader", { name: "Actions" })).toHaveLength(3);
    expect(screen.queryAllByRole("link", { name: /^(Rotate|Extend|Revoke) / })).toHaveLength(0);
    const tryV1 = within(row(k4)).getByRole("button", { name: "Try it with web v1: a signed test request" });
    expect(tryV1.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(tryV1);
    expect(tryV1.getAttribute("aria-expanded")).toBe("true");
    // The panel for this key: it asks for web v1's key file (nothing is held for it in this tab).
    const panel = await screen.findByTestId("try-it");
    expect(panel.textContent).toContain("web v1");
    expect(within(panel).getByLabelText("Key file to sign with")).toBeTruthy();
  });

  it("shows when, by whom and why a key was revoked, from the audit trail", async () => {
    renderOwner(true);
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(4));
    const byDao = within(row(k2)).getByTestId("stop-details").textContent!;
    expect(byDao).toMatch(/^Revoked .+ by DAO \(timelock\): “leaked”$/);
    expect(within(row(k3)).getByTestId("stop-details").textContent).toMatch(/^Revoked .+ by the owner: “retired”$/);
    expect(within(row(k4)).queryByTestId("stop-details")).toBeNull();
  });

  it("links a DAO revocation to the proposal that executed it: in the row, the timeline and the history", async () => {
    const revoke = encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevoke", args: [k2, "leaked"] });
    const executedProposals = vi.fn(async () => [{ proposalId: 0xabcdefn, executedBlock: 14n, executedTransactionHash: tx("4"), actions: [{ target: registry as Address, calldata: revoke }] }]);
    renderOwner(true, { executedProposals });
    await waitFor(() => expect(within(row(k2)).queryByTestId("proposal-ref")).not.toBeNull());
    // Only the timelock's act is looked up (the owner's own revocation of "old" is not).
    expect(executedProposals).toHaveBeenLastCalledWith({ transactionHashes: [tx("4")], blocks: [14n] });
    expect(within(row(k2)).getByTestId("stop-details").textContent).toMatch(/^Revoked .+ by DAO \(timelock\) \(proposal 0xabcdef\): “leaked”$/);
    const links = screen.getAllByTestId("proposal-ref");
    // Row, timeline list, history table: all to the same proposal page.
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["#/proposal/11259375", "#/proposal/11259375", "#/proposal/11259375"]);
    expect(screen.getByTestId("timeline-acts").textContent).toMatch(/^ v2 revoked .+ by proposal 0xabcdef$/);
    const historyRow = screen.getAllByTestId("history-row").find((r) => r.dataset.kind === "revoked" && r.textContent?.includes("v2"))!;
    expect(within(historyRow).getByTestId("proposal-ref").textContent).toBe("proposal 0xabcdef");
    expect(screen.getAllByTestId("history-row").filter((r) => within(r).queryByTestId("proposal-ref")).length).toBe(1);
  });

  it("copies key ids and transaction hashes", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderOwner(true);
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(4));
    fireEvent.click(within(row(k2)).getByRole("button", { name: "Copy key id of bot v2" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(k2));
    fireEvent.click(screen.getByRole("button", { name: "Copy transaction hash of Revoked v2" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(tx("4")));
  });

  it("names the owner's rotator as who rotated and revoked, in the history and the row", async () => {
    const bot = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const [r1, r2] = [id("5"), id("6")];
    const rows = [keyRow(r1, { label: "bot-rotated", successor: r2, state: "revoked" }), keyRow(r2, { label: "bot-rotated", lineage: r1, version: 2, predecessor: r1 })];
    const events = [
      eventRow(r1, r1, "KeyRegistered", 10),
      eventRow(r1, r1, "KeyRotated", 12, { related_key_id: r2, actor: bot }),
      eventRow(r2, r1, "KeyRotated", 12, { related_key_id: r1, actor: bot }),
      eventRow(r1, r1, "KeyRevoked", 13, { reason: "scheduled", state: "revoked", actor: bot }),
    ];
    renderOwner(true, { ownerKeys: async () => toIndexedKeys(rows, events) });
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(2));
    const history = screen.getAllByTestId("history-row");
    expect(history.map((r) => [r.dataset.kind, within(r).queryByTestId("by-rotator")?.textContent ?? null])).toEqual([
      ["registered", null],
      ["rotated-out", "rotator 0x7099…79C8"],
      ["rotated-in", "rotator 0x7099…79C8"],
      ["revoked", "rotator 0x7099…79C8"],
    ]);
    expect(within(row(r1)).getByTestId("stop-details").textContent).toMatch(/^Revoked .+ by rotator 0x7099…79C8: “scheduled”$/);
  });

  it("hides lineages whose every version is revoked, and says how many", async () => {
    renderOwner(true);
    await waitFor(() => expect(screen.getAllByTestId("lineage")).toHaveLength(3));
    const filter = screen.getByRole("checkbox", { name: "Hide revoked lineages (1)" });
    fireEvent.click(filter);
    // "bot" keeps a valid v1, so only "old" goes.
    expect(screen.getAllByTestId("lineage").map((l) => l.dataset.label).sort()).toEqual(["bot", "web"]);
    expect(screen.getByTestId("hidden-count").textContent).toContain("1 lineage is hidden.");
    fireEvent.click(filter);
    expect(screen.getAllByTestId("lineage")).toHaveLength(3);
  });

  it("shows each key's alerts from the API's metrics on its row, in the public view too (bursts from the second reading on)", async () => {
    // Two readings of /metrics as the reference API writes them (keyAlerts.test.tsx reads the real API's).
    const now = Math.floor(Date.now() / 1000);
    const metrics = (bad: number) =>
      [
        "# TYPE keyledger_api_key_rejected_total counter",
        `keyledger_api_key_rejected_total{key_id="${k4}",reason="bad-signature"} ${bad}`,
        `keyledger_api_key_version{key_id="${k1}",label="bot"} 1`,
        `keyledger_api_key_version{key_id="${k2}",label="bot"} 2`,
        `keyledger_api_key_last_used_timestamp_seconds{key_id="${k1}",version="1",label="bot"} ${now - 60}`,
        `keyledger_api_key_last_used_timestamp_seconds{key_id="${k2}",version="2",label="bot"} ${now - 30}`,
      ].join("\n");
    let bad = 0;
    const fetched: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      fetched.push(String(url));
      return new Response(metrics(bad), { status: 200 });
    });
    const { queryClient } = renderOwner(false, {}, "http://alerts.test/api");
    await waitFor(() => expect(within(row(k1)).queryByTestId("key-alerts")).not.toBeNull());
    expect(fetched[0]).toBe("http://alerts.test/api/metrics");
    const v1Alerts = within(row(k1)).getByRole("list", { name: "Alerts for bot v1" });
    expect(within(v1Alerts).getByRole("listitem").textContent).toMatch(/^Warning: Old version still in use\. v1 signed a request 1 min ago although v2/);
    // One reading: no burst is claimed yet.
    expect(within(row(k4)).queryByTestId("key-alerts")).toBeNull();
    bad = 11;
    await queryClient.refetchQueries({ queryKey: ["keyledger", "metrics"] });
    await waitFor(() => expect(within(row(k4)).queryByTestId("key-alert")).not.toBeNull());
    expect(within(row(k4)).getByTestId("key-alert").textContent).toMatch(/^Warning: Bad-signature burst\. 11 requests naming this key failed to verify/);
    expect(within(row(k3)).queryByTestId("key-alerts")).toBeNull();
  });
});
