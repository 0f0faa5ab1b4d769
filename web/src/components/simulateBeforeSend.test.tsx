// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, render, renderHook, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, type Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { RuntimeContext, type RuntimeContextValue } from "../runtime/RuntimeContext.ts";
import { ReviewDialog } from "./ReviewDialog.tsx";
import { useTransaction } from "./useTransaction.ts";

const wallet = vi.hoisted(() => ({ writeContract: vi.fn(async () => "0xhash") }));
vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => ({
  getConnection: () => ({ isConnected: true, chainId: 31337, address: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" }),
  writeContract: wallet.writeContract,
}));

afterEach(() => {
  cleanup();
  wallet.writeContract.mockClear();
});

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const keyId = `0x${"ab".repeat(32)}` as Hex;
const revert = (errorName: string, args: readonly unknown[]) =>
  new ContractFunctionExecutionError(
    new ContractFunctionRevertedError({ abi: keyRegistryAbi, data: encodeErrorResult({ abi: keyRegistryAbi, errorName, args } as never), functionName: "register" }),
    { abi: keyRegistryAbi, functionName: "register", args: [] },
  );

function setup(simulateContract: () => Promise<unknown>) {
  const value = {
    runtime: { chainId: 31337, addresses: { KeyRegistry: registry } },
    client: { simulateContract: vi.fn(simulateContract), waitForTransactionReceipt: vi.fn() },
    indexer: { url: "x" },
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  const queryClient = new QueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>
      <RuntimeContext.Provider value={value}>{children}</RuntimeContext.Provider>
    </QueryClientProvider>
  );
  return { ...renderHook(() => useTransaction(), { wrapper }), client: value.client };
}

const registerRequest = { address: registry, abi: keyRegistryAbi, functionName: "register", args: [] } as const;

describe("simulate before sending (Register, Rotate)", () => {
  it("a duplicate key is refused by the simulation, decoded, and the wallet is never asked", async () => {
    const { result } = setup(async () => {
      throw revert("KeyAlreadyRegistered", [keyId]);
    });
    let refused: Awaited<ReturnType<typeof result.current.simulate>> = null;
    await act(async () => {
      refused = await result.current.simulate(null, { prepare: async () => registerRequest });
    });
    expect(refused).toMatchObject({ code: "KeyAlreadyRegistered", title: "Key 0xabab…abab is already registered." });
    // Sending anyway: still simulated first, still no wallet prompt.
    await act(async () => {
      await result.current.send(registerRequest);
    });
    expect(result.current.state).toMatchObject({ status: "failed", error: { code: "KeyAlreadyRegistered" } });
    expect(wallet.writeContract).not.toHaveBeenCalled();
  });

  it("a policy violation is decoded with the scope names", async () => {
    const { result } = setup(async () => {
      throw revert("ScopesNotAllowed", [0b101, 0b011]);
    });
    let refused: Awaited<ReturnType<typeof result.current.simulate>> = null;
    await act(async () => {
      refused = await result.current.simulate(registerRequest, { scopeNames: ["read", "trade", "admin"] });
    });
    expect(refused).toMatchObject({ code: "ScopesNotAllowed", title: "The DAO's policy does not allow the scope admin.", detail: "Allowed: read, trade." });
    expect(wallet.writeContract).not.toHaveBeenCalled();
  });

  it("an accepted simulation resolves to null and sends nothing by itself", async () => {
    const { result, client } = setup(async () => ({ request: {} }));
    let refused: unknown = "unset";
    await act(async () => {
      refused = await result.current.simulate(registerRequest);
    });
    expect(refused).toBeNull();
    expect(client.simulateContract).toHaveBeenCalledTimes(1);
    expect(wallet.writeContract).not.toHaveBeenCalled();
  });

  it("the review shows the refusal and blocks confirming; checking blocks too; accepted allows it", () => {
    const props = { id: "r", open: true, title: "Review", rows: [["Label", "x"]] as const, confirmLabel: "Confirm", onConfirm: () => {}, onCancel: () => {} };
    const { rerender } = render(<ReviewDialog {...props} check={{ status: "refused", error: { code: "KeyAlreadyRegistered", title: "Key 0xabab…abab is already registered." } }} />);
    expect(screen.getByRole("alert").textContent).toContain("The registry would refuse this: Key 0xabab…abab is already registered.");
    expect(screen.getByTestId("review-refused").dataset.code).toBe("KeyAlreadyRegistered");
    expect((screen.getByTestId("review-confirm") as HTMLButtonElement).disabled).toBe(true);
    rerender(<ReviewDialog {...props} check={{ status: "checking" }} />);
    expect((screen.getByTestId("review-confirm") as HTMLButtonElement).disabled).toBe(true);
    rerender(<ReviewDialog {...props} check={{ status: "ok" }} />);
    expect((screen.getByTestId("review-confirm") as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByTestId("review-ok").textContent).toContain("would accept");
  });
});
