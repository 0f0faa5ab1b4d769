// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { type Address, ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, type PublicClient, zeroAddress } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockWallet, resetMockWallet } from "../../../../test/helpers/mockWallet.ts";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import type { IndexerClient, OwnerRotator as OwnerRotatorRow } from "../../indexer/index.ts";
import { renderWithRuntime } from "../../testing/renderWithRuntime.tsx";
import { OwnerRotator } from "./OwnerRotator.tsx";

const owner = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" as Address;
const bot = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const other = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address;
const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;

vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => import("../../../../test/helpers/mockWallet.ts").then((m) => m.wagmiActions));

// jsdom has <dialog> without close(): the review closes after confirming.
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  resetMockWallet();
});

type Simulated = { functionName: string; args: readonly unknown[] };

function renderRotator({ self, current, simulate = async (r: Simulated) => ({ request: r }), relay = false }: { self: boolean; current: OwnerRotatorRow; simulate?: (r: Simulated) => Promise<unknown>; relay?: boolean }) {
  const client = {
    // An ordinary account: the public view offers no "Manage as a Safe owner" (safeRotator.test.tsx).
    getCode: async () => "0x",
    getBlock: async () => ({ number: 50n, timestamp: 2_000n }),
    readContract: vi.fn(async () => 7n),
    simulateContract: vi.fn(simulate),
    waitForTransactionReceipt: vi.fn(async () => ({ status: "success", blockNumber: 51n })),
  } as unknown as PublicClient;
  const indexer: Partial<IndexerClient> = { url: "x", status: async () => ({ number: 50n, timestamp: 2_000 }), rotatorOf: vi.fn(async () => current) };
  renderWithRuntime(<OwnerRotator owner={owner} self={self} />, { client, indexer, registry, relay });
  return { client, indexer };
}

const appointed: OwnerRotatorRow = { rotator: bot, updatedBlock: 40n, updatedAt: 1_900, transactionHash: `0x${"aa".repeat(32)}` };

describe("the owner's rotator", () => {
  it("is shown read-only in the public owner view, with what it may do", async () => {
    const { indexer } = renderRotator({ self: false, current: appointed });
    await waitFor(() => expect(screen.getByTestId("rotator-current")).toBeTruthy());
    expect(indexer.rotatorOf).toHaveBeenCalledWith(owner);
    expect(screen.getByTestId("owner-rotator").dataset.rotator).toBe(bot);
    expect(screen.getByTestId("rotator-current").textContent).toContain(`${bot} may rotate and revoke this owner's keys (appointed`);
    expect(screen.getByTestId("rotator-current").textContent).toContain("never a suspended key");
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("says when there is none (never appointed, or removed)", async () => {
    renderRotator({ self: false, current: { rotator: undefined } });
    await waitFor(() => expect(screen.getByTestId("rotator-none").textContent).toBe("No rotator: only the owner can rotate and revoke these keys."));
  });

  it("sets a rotator after a review that simulated setRotator(address)", async () => {
    const { client } = renderRotator({ self: true, current: { rotator: undefined } });
    const input = await screen.findByRole("textbox", { name: "Rotator address" });
    expect(screen.queryByTestId("remove-rotator")).toBeNull();
    fireEvent.change(input, { target: { value: "0x1234" } });
    fireEvent.click(screen.getByTestId("set-rotator"));
    expect(screen.getByText("An address is 0x followed by 40 hex digits.")).toBeTruthy();
    fireEvent.change(input, { target: { value: owner.toLowerCase() } });
    expect(screen.getByText("That is this account: an owner can always rotate its own keys.")).toBeTruthy();
    expect(screen.queryByTestId("review")).toBeNull();

    fireEvent.change(input, { target: { value: bot.toLowerCase() } });
    fireEvent.click(screen.getByTestId("set-rotator"));
    const review = await screen.findByTestId("review");
    expect(within(review).getByText("New rotator").nextSibling!.textContent).toBe(bot);
    expect(within(review).getByText("Replaces").nextSibling!.textContent).toBe("none");
    await screen.findByTestId("review-ok");
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "setRotator", args: [bot], address: registry }));
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("review-confirm"));
    await screen.findByTestId("tx-confirmed");
    expect(mockWallet.writeContract).toHaveBeenCalledTimes(1);
    expect(mockWallet.writeContract.mock.calls[0]![1]).toMatchObject({ functionName: "setRotator", args: [bot] });
    expect(screen.getByTestId("tx-confirmed").textContent).toContain("Set rotator");
  });

  it("removes the rotator: setRotator(0)", async () => {
    renderRotator({ self: true, current: appointed });
    fireEvent.click(await screen.findByTestId("remove-rotator"));
    const review = await screen.findByTestId("review");
    expect(within(review).getByText("Removes").nextSibling!.textContent).toBe(bot);
    await screen.findByTestId("review-ok");
    fireEvent.click(screen.getByTestId("review-confirm"));
    await screen.findByTestId("tx-confirmed");
    expect(mockWallet.writeContract.mock.calls[0]![1]).toMatchObject({ functionName: "setRotator", args: [zeroAddress] });
    expect(screen.getByTestId("tx-confirmed").textContent).toContain("Remove rotator");
  });

  it("shows the registry's refusal in the review and never asks the wallet", async () => {
    const refusal = new ContractFunctionExecutionError(
      new ContractFunctionRevertedError({ abi: keyRegistryAbi, data: encodeErrorResult({ abi: keyRegistryAbi, errorName: "OwnerIsRevoked", args: [owner] }), functionName: "setRotator" }),
      { abi: keyRegistryAbi, functionName: "setRotator", args: [] },
    );
    renderRotator({ self: true, current: appointed, simulate: async () => { throw refusal; } });
    const input = await screen.findByRole("textbox", { name: "Rotator address" });
    fireEvent.change(input, { target: { value: bot } });
    fireEvent.click(screen.getByTestId("set-rotator"));
    expect(screen.getByText("This address is your rotator already.")).toBeTruthy();
    fireEvent.change(input, { target: { value: other } });
    fireEvent.click(screen.getByTestId("set-rotator"));
    const refused = await screen.findByTestId("review-refused");
    expect(refused.dataset.code).toBe("OwnerIsRevoked");
    expect(within(screen.getByTestId("review")).getByText("Replaces").nextSibling!.textContent).toBe(bot);
    expect((screen.getByTestId("review-confirm") as HTMLButtonElement).disabled).toBe(true);
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
  });

  it("offers “Sign, let the API pay”: the review names the relayer, the wallet signs SetRotator and the API relays it", async () => {
    const posted: { url: string; body: Record<string, unknown> }[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      posted.push({ url: String(url), body: JSON.parse(String(init.body)) as Record<string, unknown> });
      return new Response(JSON.stringify({ operation: "setRotator", owner, nonce: "7", transactionHash: `0x${"cd".repeat(32)}`, status: "mined", blockNumber: 51 }), { status: 200, headers: { "content-type": "application/json" } });
    }));
    renderRotator({ self: true, current: { rotator: undefined }, relay: true });
    fireEvent.change(await screen.findByRole("textbox", { name: "Rotator address" }), { target: { value: bot } });
    fireEvent.click(screen.getByRole("radio", { name: "Sign, let the API pay" }));
    fireEvent.click(screen.getByTestId("set-rotator"));
    const review = await screen.findByTestId("review");
    expect(within(review).getByText("Sent by").nextSibling!.textContent).toContain("the API's relayer, which pays the gas");
    await screen.findByTestId("review-ok");
    fireEvent.click(screen.getByTestId("review-confirm"));
    await screen.findByTestId("tx-confirmed");
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
    expect(mockWallet.signTypedData.mock.calls[0]![1]).toMatchObject({ account: owner, primaryType: "SetRotator", message: { owner, rotator: bot, nonce: 7n, deadline: 2_600n } });
    expect(posted).toEqual([{ url: "http://dapp.test/api/v1/relay", body: expect.objectContaining({ operation: "setRotator", rotator: bot, owner, nonce: "7", deadline: "2600" }) }]);
  });
});
