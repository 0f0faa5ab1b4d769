// @vitest-environment jsdom
// The owner view's "Manage as a Safe owner", offered when the viewed address is a Safe: Set / Remove
// rotator turned into a signing request (setRotator simulated as the Safe, the registry's
// SetRotator operation for owner = the Safe), signed in the page by the connected owner.
// Submission against a real Safe, API and chain is in test/e2e/browserSafe.test.ts.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { type Address, getAddress, zeroAddress } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IndexerClient, OwnerRotator as OwnerRotatorRow } from "../../indexer/index.ts";
import { renderWithRuntime } from "../../testing/renderWithRuntime.tsx";
import { safeOwners, testRegistry, testSafe } from "../../testing/safeOwnerWallet.ts";
import { OwnerRotator } from "./OwnerRotator.tsx";

const owners = safeOwners;
const safe = testSafe;
const registry = testRegistry;
const bot = getAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

vi.mock("wagmi", () => import("../../testing/safeOwnerWallet.ts").then((m) => m.safeOwnerWagmi));
vi.mock("wagmi/actions", () => import("../../testing/safeOwnerWallet.ts").then((m) => m.safeOwnerWagmiActions));

afterEach(cleanup);

function renderSafeRotator({ current, code = "0x6080" }: { current: OwnerRotatorRow; code?: string }) {
  const reads: Record<string, unknown> = { getOwners: owners, getThreshold: 2n, VERSION: "1.5.0", nonces: 4n };
  const client = {
    getCode: vi.fn(async () => code),
    readContract: vi.fn(async ({ functionName }: { functionName: string }) => reads[functionName]),
    simulateContract: vi.fn(async (r: unknown) => ({ request: r })),
    getBlock: async () => ({ number: 50n, timestamp: 2_000n }),
  };
  const indexer: Partial<IndexerClient> = { url: "x", status: async () => ({ number: 50n, timestamp: 2_000 }), rotatorOf: vi.fn(async () => current) };
  renderWithRuntime(<OwnerRotator owner={safe} self={false} />, { client, indexer, registry, relay: true });
  return { client };
}

const progress = () => screen.getByTestId("safe-progress").textContent;

describe("the owner view's rotator, managed as a Safe owner", () => {
  it("appoints a rotator: setRotator simulated as the Safe, a SetRotator request for its owners, signed by the connected owner", async () => {
    const { client } = renderSafeRotator({ current: { rotator: undefined } });
    fireEvent.click(await screen.findByTestId("manage-as-safe"));
    await waitFor(() => expect(screen.getByTestId("safe-info").textContent).toContain("2 of 3 owners must sign. Your wallet is one of them."));
    const input = screen.getByRole("textbox", { name: "Rotator address" });
    fireEvent.change(input, { target: { value: safe } });
    fireEvent.click(screen.getByTestId("safe-set-rotator"));
    expect(screen.getByText("That is this account: an owner can always rotate its own keys.")).toBeTruthy();
    expect(client.simulateContract).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: bot.toLowerCase() } });
    fireEvent.click(screen.getByTestId("safe-set-rotator"));
    await screen.findByTestId("safe-signing");
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ account: safe, address: registry, functionName: "setRotator", args: [bot] }));
    expect(screen.getByTestId("safe-signing").textContent).toContain(`appoint ${bot} as rotator`);
    expect(progress()).toBe("0 of 2 signatures; 2 missing.");
    fireEvent.click(screen.getByRole("button", { name: "Sign with my wallet" }));
    await waitFor(() => expect(progress()).toBe("1 of 2 signatures; 1 missing."));
    // The wallet's own rotator form is not offered on the public view.
    expect(screen.queryByTestId("set-rotator")).toBeNull();
  });

  it("removes the Safe's rotator: setRotator(0)", async () => {
    const { client } = renderSafeRotator({ current: { rotator: bot, updatedBlock: 40n, updatedAt: 1_900 } });
    fireEvent.click(await screen.findByTestId("manage-as-safe"));
    fireEvent.click(await screen.findByTestId("safe-remove-rotator"));
    await screen.findByTestId("safe-signing");
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ account: safe, functionName: "setRotator", args: [zeroAddress] }));
    expect(screen.getByTestId("safe-signing").textContent).toContain("remove the rotator");
  });

  it("is not offered when the address is not a Safe (an ordinary account)", async () => {
    const { client } = renderSafeRotator({ current: { rotator: undefined }, code: "0x" });
    await screen.findByTestId("rotator-none");
    await waitFor(() => expect(client.getCode).toHaveBeenCalled());
    expect(screen.queryByTestId("manage-as-safe")).toBeNull();
    expect(screen.queryByRole("button")).toBeNull();
  });
});
