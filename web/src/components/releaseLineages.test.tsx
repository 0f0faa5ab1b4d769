// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import type { Address, Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IndexedKey, IndexerClient } from "../indexer/index.ts";
import { mockWallet, mockWalletOwner, resetMockWallet } from "../../../test/helpers/mockWallet.ts";
import { renderWithRuntime } from "../testing/renderWithRuntime.tsx";
import { releasableHeads, ReleaseLineages } from "./ReleaseLineages.tsx";

const owner = mockWalletOwner as Address;
const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const id = (n: number) => `0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199${n.toString(16).padStart(24, "0")}` as Hex;

vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => import("../../../test/helpers/mockWallet.ts").then((m) => m.wagmiActions));

afterEach(() => {
  cleanup();
  resetMockWallet();
});

const key = (n: number, change: Partial<IndexedKey>) => ({ keyId: id(n), owner, state: "active", rotated: false, released: false, events: [], ...change }) as unknown as IndexedKey;

function renderRelease(keys: IndexedKey[], onReleased = vi.fn()) {
  const client = {
    simulateContract: vi.fn(async (r: unknown) => ({ request: r })),
    waitForTransactionReceipt: vi.fn(async () => ({ status: "success", blockNumber: 51n })),
  };
  const indexer: Partial<IndexerClient> = { url: "x", status: async () => ({ number: 50n, timestamp: 2_000 }), ownerKeys: vi.fn(async () => keys) };
  renderWithRuntime(<ReleaseLineages owner={owner} onReleased={onReleased} />, { client, indexer, registry });
  return { client, onReleased };
}

describe("releasing revoked lineages (TooManyKeys)", () => {
  it("counts only revoked heads not yet released", () => {
    const keys = [
      key(1, { state: "revoked" }),
      key(2, { state: "revoked", rotated: true }),
      key(3, { state: "revoked", released: true }),
      key(4, { state: "suspended" }),
      key(5, {}),
      key(6, { state: "revoked" }),
    ];
    expect(releasableHeads(keys)).toEqual([id(1), id(6)]);
  });

  it("offers “Release N revoked lineages” and sends releaseKeys with their ids", async () => {
    const { client, onReleased } = renderRelease([key(1, { state: "revoked" }), key(2, { state: "revoked" }), key(3, {})]);
    const button = await screen.findByTestId("release-submit");
    expect(button.textContent).toBe("Release 2 revoked lineages");
    fireEvent.click(button);
    await screen.findByTestId("tx-confirmed");
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ address: registry, functionName: "releaseKeys", args: [[id(1), id(2)]] }));
    expect(mockWallet.writeContract.mock.calls[0]![1]).toMatchObject({ functionName: "releaseKeys", args: [[id(1), id(2)]] });
    await waitFor(() => expect(onReleased).toHaveBeenCalledTimes(1));
  });

  it("says what to do when nothing is left to release", async () => {
    renderRelease([key(1, {}), key(2, { state: "revoked", released: true })]);
    expect((await screen.findByTestId("release-none")).textContent).toContain("revoke one you no longer use");
    expect(screen.queryByTestId("release-submit")).toBeNull();
  });

});
