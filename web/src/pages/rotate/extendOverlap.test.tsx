// @vitest-environment jsdom
// Extend overlap offers "Sign, let the API pay" like Register, Rotate and Revoke: the wallet
// (mocked here) signs the ExtendOverlap typed data and the relay endpoint (a stubbed fetch)
// receives it; relaySigned.test.ts sends the same operation through a real relaying API.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockWallet, mockWalletOwner as owner, mockWalletSignature as signature, resetMockWallet } from "../../../../test/helpers/mockWallet.ts";
import type { IndexedKey, RegistryIndex, RegistryPolicy } from "../../indexer/index.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import { ExtendOverlap } from "./ExtendOverlap.tsx";

// The API's relayer (dev account 10) and the registry as deployed on the dev chain.
const relayer = "0xbcd4042de499d14e55001ccbb24a551f3b954096";
const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const keyId = `0x${"e1".repeat(32)}` as Hex;
const txHash = `0x${"e2".repeat(32)}` as Hex;

vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => import("../../../../test/helpers/mockWallet.ts").then((m) => m.wagmiActions));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  resetMockWallet();
});

const now = 10_000;
// v1 rotated out: its expiry cut to now + 1 h, its original end far ahead.
const v1 = { keyId, owner, alg: "ed25519", label: "bot", version: 1, scopes: 1, notBefore: 1_000, expiresAt: now + 3_600, originalExpiresAt: now + 30 * 86_400, state: "active", suspendedUntil: 0, rotated: true, lineageId: keyId, publicKey: "0x01", proof: "0x02", events: [] } as unknown as IndexedKey;
const policy = { maxOverlap: 7 * 86_400, maxLifetime: 365 * 86_400 } as unknown as RegistryPolicy;
const index = { keys: new Map([[keyId, v1]]), policy, scopeNames: [], guardians: [] } as RegistryIndex;

function renderExtend(relay: boolean, keys: IndexedKey[] = [v1], initial: Hex = keyId) {
  const value = {
    runtime: { chainId: 31337, addresses: { KeyRegistry: registry }, apiUrl: "http://dapp.test/api", relay },
    client: {
      simulateContract: vi.fn(async () => ({ request: {} })),
      readContract: vi.fn(async () => 5n),
      getBlock: vi.fn(async () => ({ timestamp: BigInt(now) })),
      waitForTransactionReceipt: vi.fn(async () => ({ status: "success", blockNumber: 9n, from: relay ? relayer : owner })),
    },
    indexer: null,
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RuntimeContext.Provider value={value}>
        <ExtendOverlap keys={keys} registry={index} policy={policy} now={now} initial={initial} />
      </RuntimeContext.Provider>
    </QueryClientProvider>,
  );
  return value;
}

describe("Extend overlap, sent by the API's relayer", () => {
  it("signs ExtendOverlap with the on-chain nonce and posts it to the relay: no transaction from the wallet", async () => {
    const posted: Record<string, unknown>[] = [];
    vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
      posted.push(JSON.parse(String(init.body)) as Record<string, unknown>);
      return new Response(JSON.stringify({ operation: "extendOverlap", owner, nonce: "5", transactionHash: txHash, status: "mined", blockNumber: 9 }), { status: 200, headers: { "content-type": "application/json" } });
    }));
    renderExtend(true);
    fireEvent.click(screen.getByRole("radio", { name: "Sign, let the API pay" }));
    fireEvent.click(screen.getByRole("button", { name: "Extend overlap" }));
    await screen.findByTestId("tx-confirmed");
    // The suggested end: one day past the current end, rounded up to days from now.
    const expiresAt = now + 2 * 86_400;
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
    expect(mockWallet.signTypedData.mock.calls[0]![1]).toMatchObject({ account: owner, primaryType: "ExtendOverlap", message: { owner, keyId, expiresAt, nonce: 5n, deadline: BigInt(now + 600) } });
    expect(posted).toEqual([{ operation: "extendOverlap", keyId, expiresAt, chainId: 31337, registry, owner, nonce: "5", deadline: String(now + 600), signature }]);
    expect(screen.getByTestId("tx-confirmed").textContent).toContain("sent and paid for by the API's relayer");
  });

  it("sends from the wallet by default, and offers no choice when the API does not relay", async () => {
    const value = renderExtend(false);
    expect(screen.queryByTestId("send-via")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Extend overlap" }));
    await screen.findByTestId("tx-confirmed");
    // The wallet sends the simulated call.
    expect(value.client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ account: owner, functionName: "extendOverlap", args: [keyId, now + 2 * 86_400] }));
    expect(mockWallet.writeContract).toHaveBeenCalledTimes(1);
    expect(mockWallet.signTypedData).not.toHaveBeenCalled();
  });

  it("opens with the version My keys' Extend action named (#/rotate/<keyId>)", () => {
    const other = { ...v1, keyId: `0x${"cd".repeat(32)}` as Hex, label: "web", expiresAt: now + 7_200 } as IndexedKey;
    renderExtend(false, [v1, other], other.keyId);
    expect((screen.getByRole("combobox", { name: "Version" }) as HTMLSelectElement).value).toBe(other.keyId);
    expect(screen.getByRole("option", { name: /^web v1/, selected: true })).toBeTruthy();
  });
});
