// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import superjson from "superjson";
import type { Address, Hex, PublicClient } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyStatusAt } from "../chain/keyStatusAt.ts";
import { IndexerBanner } from "../components/NetworkBanner.tsx";
import { OwnerKeys } from "../pages/owner/OwnerKeys.tsx";
import { RuntimeContext, type RuntimeContextValue } from "../runtime/RuntimeContext.ts";
import { createIndexerClient, groupLineages, type IndexerClient, indexerHealth, toIndexedKeys } from "./index.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const owner = "0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199";
const k1 = `0x${"1".repeat(64)}` as Hex;
const k2 = `0x${"2".repeat(64)}` as Hex;
const tx = `0x${"a".repeat(64)}` as Hex;

const keyRow = (id: Hex, extra: Record<string, unknown>) => ({
  id,
  owner,
  lineage: k1,
  algorithm: 1,
  label: "bot",
  version: 1,
  scopes: 3,
  not_before: 1_000,
  expires_at: 100_000,
  state: "active",
  public_key: "0x01",
  proof: "0x02",
  predecessor: null,
  successor: null,
  created_block: "10",
  created_at: "1000",
  updated_block: "10",
  updated_at: "1000",
  ...extra,
});
const eventRow = (keyId: Hex, kind: string, block: number, extra: Record<string, unknown> = {}) => ({
  id: `${tx}-${block}-${keyId}`,
  key_id: keyId,
  lineage: k1,
  owner,
  kind,
  actor: owner,
  reason: null,
  state: "active",
  expires_at: 100_000,
  related_key_id: null,
  block_number: String(block),
  timestamp: String(block * 100),
  transaction_hash: tx,
  log_index: 0,
  ...extra,
});

// A rotation from k1 to k2, then k2 revoked.
const keyRows = [
  keyRow(k1, { successor: k2, expires_at: 5_000 }),
  keyRow(k2, { version: 2, predecessor: k1, state: "revoked", created_block: "12" }),
];
const eventRows = [
  eventRow(k1, "KeyRegistered", 10),
  eventRow(k1, "KeyRotated", 12, { related_key_id: k2, expires_at: 5_000 }),
  eventRow(k2, "KeyRotated", 12, { related_key_id: k1 }),
  eventRow(k2, "KeyRevoked", 14, { reason: "leaked", state: "revoked" }),
];

describe("toIndexedKeys", () => {
  it("turns the indexer's rows into keys with their audit trail, lineage and rotation sides", () => {
    const [a, b] = toIndexedKeys(keyRows, eventRows);
    expect(a).toMatchObject({ keyId: k1, alg: "ed25519", rotated: true, nextKeyId: k2, lineageId: k1, expiresAt: 5_000 });
    expect(a!.owner).toBe("0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199");
    expect(a!.events.map((e) => e.kind)).toEqual(["registered", "rotated-out"]);
    expect(a!.events[1]).toMatchObject({ otherKeyId: k2, expiresAt: 5_000, blockNumber: 12n, timestamp: 1_200 });
    expect(b).toMatchObject({ version: 2, previousKeyId: k1, state: "revoked", rotated: false });
    expect(b!.events.map((e) => e.kind)).toEqual(["rotated-in", "revoked"]);
    expect(b!.events[1]).toMatchObject({ reason: "leaked", by: a!.owner });
    // Status comes from the shared definition, the registry state first.
    expect(keyStatusAt(b!, 2_000).status).toBe("revoked");
    expect(keyStatusAt(a!, 2_000)).toMatchObject({ status: "active", inOverlap: true });
    expect(keyStatusAt(a!, 6_000).status).toBe("expired");
    expect(groupLineages([b!, a!]).map((l) => l.versions.map((v) => v.version))).toEqual([[1, 2]]);
  });
});

describe("indexerHealth", () => {
  const block = (n: number) => ({ number: BigInt(n), timestamp: n });
  it("is current when the indexer is level with the chain or a few blocks behind", () => {
    expect(indexerHealth({ chainHead: block(100), indexed: block(100), indexerError: null, configured: true })).toMatchObject({ status: "ok", lag: 0n, stale: false, message: undefined });
    expect(indexerHealth({ chainHead: block(103), indexed: block(100), indexerError: null, configured: true })).toMatchObject({ status: "ok", lag: 3n, stale: false });
    // An RPC behind the indexer is not a negative lag.
    expect(indexerHealth({ chainHead: block(99), indexed: block(100), indexerError: null, configured: true })).toMatchObject({ status: "ok", lag: 0n });
  });
  it("calls the data stale, and says why, when the indexer is behind, down or missing", () => {
    const behind = indexerHealth({ chainHead: block(110), indexed: block(100), indexerError: null, configured: true });
    expect(behind).toMatchObject({ status: "behind", lag: 10n, stale: true });
    expect(behind.message).toContain("10 blocks behind");
    expect(behind.message).toContain("as of block 100");
    const down = indexerHealth({ chainHead: block(110), indexed: block(100), indexerError: new Error("fetch failed"), configured: true });
    expect(down).toMatchObject({ status: "down", stale: true });
    expect(down.message).toMatch(/not answering \(fetch failed\).*as of block 100/);
    expect(indexerHealth({ chainHead: block(1), indexed: undefined, indexerError: null, configured: false })).toMatchObject({ status: "unconfigured", stale: true });
    expect(indexerHealth({ chainHead: block(1), indexed: undefined, indexerError: null, configured: true })).toMatchObject({ status: "starting", stale: true, message: undefined });
  });
});

describe("createIndexerClient", () => {
  it("reads the head from /status and an owner's keys with SQL over HTTP scoped to that owner", async () => {
    const urls: URL[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      urls.push(url);
      if (url.pathname === "/indexer/status") return Response.json({ keyledger: { id: 31337, block: { number: 42, timestamp: 4_200 } } });
      const { sql } = superjson.parse<{ sql: string }>(url.searchParams.get("sql")!);
      return Response.json({ rows: sql.includes("from key_events") ? eventRows : keyRows });
    });
    const client = createIndexerClient({ url: "http://127.0.0.1:5173/indexer" });
    expect(await client.status()).toEqual({ number: 42n, timestamp: 4_200 });
    const keys = await client.ownerKeys("0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199");
    expect(keys.map((k) => k.keyId)).toEqual([k1, k2]);
    const queries = urls.filter((u) => u.pathname === "/indexer/sql/db").map((u) => superjson.parse<{ sql: string; params: unknown[] }>(u.searchParams.get("sql")!));
    expect(queries).toHaveLength(2);
    for (const q of queries) {
      expect(q.sql).toMatch(/where owner = \$1/);
      expect(q.params).toEqual([owner]);
    }
  });

  it("says the indexer is unavailable when /status fails", async () => {
    vi.stubGlobal("fetch", async () => new Response("down", { status: 502 }));
    await expect(createIndexerClient({ url: "http://127.0.0.1:1/indexer" }).status()).rejects.toThrow(/502/);
  });
});

describe("OwnerKeys and the banner", () => {
  function renderOwner(indexer: Partial<IndexerClient>) {
    const client = { getBlock: async () => ({ number: 50n, timestamp: 2_000n }) } as unknown as PublicClient;
    const value = {
      runtime: { apiUrl: null, addresses: { KeyLedgerTimelock: "0x0000000000000000000000000000000000000001" } },
      client,
      indexer: { url: "x", facts: async () => ({ policy: undefined, scopeNames: ["read", "trade", "", "", "", "", "", ""], guardians: [], proposalsCreated: new Map() }), ...indexer },
      isLocal: true,
      pollingInterval: 1_000,
    } as unknown as RuntimeContextValue;
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return render(
      <QueryClientProvider client={queryClient}>
        <RuntimeContext.Provider value={value}>
          <OwnerKeys owner={owner as Address} self={false} />
        </RuntimeContext.Provider>
      </QueryClientProvider>,
    );
  }

  it("shows the owner's lineage, versions, states and history as current", async () => {
    renderOwner({ status: async () => ({ number: 50n, timestamp: 2_000 }), ownerKeys: async () => toIndexedKeys(keyRows, eventRows) });
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(2));
    expect(screen.getByTestId("owner-keys").dataset.stale).toBe("false");
    expect(screen.getAllByTestId("key-row").map((r) => r.dataset.state)).toEqual(["revoked", "active"]);
    expect(screen.getAllByTestId("history-row").map((r) => r.dataset.kind)).toEqual(["registered", "rotated-out", "rotated-in", "revoked"]);
    expect(screen.getAllByText(/“leaked”/).length).toBeGreaterThan(0);
  });

  it("greys the keys out when the indexer is far behind the chain", async () => {
    renderOwner({ status: async () => ({ number: 40n, timestamp: 1_000 }), ownerKeys: async () => toIndexedKeys(keyRows, eventRows) });
    await waitFor(() => expect(screen.getByTestId("owner-keys").dataset.stale).toBe("true"));
    expect(screen.getByText(/may be out of date/)).toBeTruthy();
  });

  it("the banner is an alert with the health message, and absent when all is well", () => {
    const { rerender } = render(<IndexerBanner status="down" message="The indexer is not answering (fetch failed)." />);
    expect(screen.getByRole("alert").textContent).toContain("not answering");
    rerender(<IndexerBanner status="ok" message={undefined} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
