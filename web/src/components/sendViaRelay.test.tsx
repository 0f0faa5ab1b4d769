// @vitest-environment jsdom
// "Sign, let the API pay" in useTransaction and on the pages' shared parts, with the wallet
// mocked and the relay endpoint answered by a stubbed fetch (relaySigned.test.ts runs the
// same path against a real relaying API and chain).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, renderHook, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, type Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockWallet, resetMockWallet } from "../../../test/helpers/mockWallet.ts";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { RuntimeContext, type RuntimeContextValue } from "../runtime/RuntimeContext.ts";
import { SendViaChoice, useSendVia } from "./SendViaChoice.tsx";
import { TxStatus } from "./TxStatus.tsx";
import { useTransaction } from "./useTransaction.ts";

const owner = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199";
const relayer = "0xbcd4042de499d14e55001ccbb24a551f3b954096";
const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const keyId = `0x${"ab".repeat(32)}` as Hex;
const txHash = `0x${"cd".repeat(32)}` as Hex;
const signature = `0x${"11".repeat(65)}` as Hex;

vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
vi.mock("wagmi/actions", () => import("../../../test/helpers/mockWallet.ts").then((m) => m.wagmiActions));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  resetMockWallet();
});

const newKey = { algorithm: 1, publicKey: `0x${"22".repeat(32)}`, scopes: 1, notBefore: 1_000, expiresAt: 90_000, proof: `0x${"33".repeat(64)}` };
const registerRequest = { address: registry, abi: keyRegistryAbi, functionName: "register", args: [newKey, "bot"] } as const;

function runtimeValue(relay: boolean, simulateContract: () => Promise<unknown> = async () => ({ request: {} })) {
  return {
    runtime: { chainId: 31337, addresses: { KeyRegistry: registry }, apiUrl: "http://dapp.test/api", relay },
    client: {
      simulateContract: vi.fn(simulateContract),
      readContract: vi.fn(async () => 3n),
      getBlock: vi.fn(async () => ({ timestamp: 1_000n })),
      waitForTransactionReceipt: vi.fn(async () => ({ status: "success", blockNumber: 7n, from: relayer })),
    },
    indexer: null,
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
}

function wrap(value: RuntimeContextValue) {
  const queryClient = new QueryClient();
  return ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>
      <RuntimeContext.Provider value={value}>{children}</RuntimeContext.Provider>
    </QueryClientProvider>
  );
}

/** The relay endpoint: answers `answer` and records what was posted where. */
function stubRelay(answer: { status: number; body: object; headers?: Record<string, string> } | Error) {
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url: String(url), body: JSON.parse(String(init.body)) as Record<string, unknown> });
      if (answer instanceof Error) throw answer;
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json", ...answer.headers } });
    }),
  );
  return calls;
}

async function sendRelayed(value: RuntimeContextValue, request: Parameters<ReturnType<typeof useTransaction>["send"]>[0] = registerRequest) {
  const { result } = renderHook(() => useTransaction(), { wrapper: wrap(value) });
  await act(async () => {
    await result.current.send(request, { via: "relay" });
  });
  return result.current.state;
}

describe("useTransaction with “Sign, let the API pay”", () => {
  it("simulates, has the wallet sign the typed data with the on-chain nonce and a deadline, and relays it: no transaction from the wallet", async () => {
    const calls = stubRelay({ status: 200, body: { operation: "register", owner, nonce: "3", transactionHash: txHash, status: "mined", blockNumber: 7, keyId } });
    const value = runtimeValue(true);
    const state = await sendRelayed(value);
    expect(state).toEqual({ status: "confirmed", hash: txHash, blockNumber: 7n, paidBy: relayer });
    const client = value.client as unknown as Record<string, ReturnType<typeof vi.fn>>;
    // Simulated first, as the owner, with the plain call (the registry's checks are the same).
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ account: owner, functionName: "register" }));
    expect(client.readContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "nonces", args: [owner] }));
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
    expect(mockWallet.signTypedData).toHaveBeenCalledTimes(1);
    expect(mockWallet.signTypedData.mock.calls[0]![1]).toMatchObject({
      account: owner,
      primaryType: "Register",
      domain: { name: "KeyLedger KeyRegistry", chainId: 31337n, verifyingContract: registry },
      message: { owner, label: "bot", nonce: 3n, deadline: 1_600n, key: newKey },
    });
    expect(calls).toEqual([
      {
        url: "http://dapp.test/api/v1/relay",
        body: { operation: "register", key: newKey, label: "bot", chainId: 31337, registry, owner, nonce: "3", deadline: "1600", signature },
      },
    ]);
  });

  it("a refused simulation stops before the wallet is asked to sign", async () => {
    const calls = stubRelay({ status: 500, body: {} });
    const revert = new ContractFunctionExecutionError(
      new ContractFunctionRevertedError({ abi: keyRegistryAbi, data: encodeErrorResult({ abi: keyRegistryAbi, errorName: "KeyAlreadyRegistered", args: [keyId] }), functionName: "register" }),
      { abi: keyRegistryAbi, functionName: "register", args: [] },
    );
    const state = await sendRelayed(
      runtimeValue(true, async () => {
        throw revert;
      }),
    );
    expect(state).toMatchObject({ status: "failed", error: { code: "KeyAlreadyRegistered" } });
    expect(mockWallet.signTypedData).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it.each([
    [{ status: 429, body: { error: "rate-limited", message: "too many operations for this owner; retry later", scope: "owner", retryAfterSeconds: 42 }, headers: { "retry-after": "42" } }, "rate-limited", "Try again in 42 s, or send it from your wallet. Nothing was sent."],
    [{ status: 422, body: { error: "SignatureExpired", message: "x", args: ["1600", "1700"] } }, "SignatureExpired", "Ask the owner to sign it again. The API's relayer checked it before sending: nothing was sent and no gas was spent."],
    [{ status: 422, body: { error: "InvalidSignature", message: "x", args: [owner] } }, "InvalidSignature", expect.stringContaining("current nonce")],
    [{ status: 422, body: { error: "KeyAlreadyRegistered", message: "x", args: [keyId] } }, "KeyAlreadyRegistered", expect.stringContaining("Generate a new key")],
    [{ status: 409, body: { error: "nonce-used", message: "x", nonce: "4" } }, "nonce-used", expect.stringContaining("sign it again")],
    [{ status: 503, body: { error: "relayer-unfunded", message: "x" } }, "relayer-unfunded", "Nothing was sent. You can send it from your wallet instead."],
  ] as const)("the relayer's refusal is shown in words (%#)", async (answer, code, detail) => {
    stubRelay({ status: answer.status, body: answer.body, headers: "headers" in answer ? answer.headers : undefined });
    const state = await sendRelayed(runtimeValue(true));
    expect(state).toMatchObject({ status: "failed", error: { code, detail } });
    expect(mockWallet.writeContract).not.toHaveBeenCalled();
  });

  it("an unreachable API, a call without a signed form, and an API that does not relay are refused in words", async () => {
    stubRelay(new TypeError("fetch failed"));
    expect(await sendRelayed(runtimeValue(true))).toMatchObject({ status: "failed", error: { code: "relay-unreachable", title: "The API's relayer could not be reached." } });
    mockWallet.signTypedData.mockClear();
    const calls = stubRelay({ status: 500, body: {} });
    const batch = { address: registry, abi: keyRegistryAbi, functionName: "revokeBatch", args: [[keyId], "x"] } as const;
    expect(await sendRelayed(runtimeValue(true), batch)).toMatchObject({ status: "failed", error: { title: "“revokeBatch” has no signed form: send it from your wallet." } });
    expect(await sendRelayed(runtimeValue(false))).toMatchObject({ status: "failed", error: { title: "The API does not relay signed operations: send it from your wallet." } });
    expect(calls).toEqual([]);
    expect(mockWallet.signTypedData).not.toHaveBeenCalled();
  });
});

describe("the choice and the status", () => {
  function Choice({ unavailable }: { unavailable?: string }) {
    const { via, setVia, offered } = useSendVia();
    return (
      <>
        <SendViaChoice via={via} onChange={setVia} offered={offered} unavailable={unavailable} />
        <output data-testid="via">{via}</output>
      </>
    );
  }

  it("is offered only when the API relays; the wallet is the default", () => {
    const { unmount } = render(<Choice />, { wrapper: wrap(runtimeValue(false)) });
    expect(screen.queryByTestId("send-via")).toBeNull();
    expect(screen.getByTestId("via").textContent).toBe("wallet");
    unmount();
    render(<Choice />, { wrapper: wrap(runtimeValue(true)) });
    expect((screen.getByRole("radio", { name: "Send from my wallet" }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole("radio", { name: "Sign, let the API pay" }));
    expect(screen.getByTestId("via").textContent).toBe("relay");
    expect(screen.getByTestId("send-via-hint").textContent).toContain("can delay or refuse it, never change it");
  });

  it("names why signing is unavailable (a batch) and disables it", () => {
    render(<Choice unavailable="A batch goes from your wallet." />, { wrapper: wrap(runtimeValue(true)) });
    expect((screen.getByRole("radio", { name: "Sign, let the API pay" }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId("send-via-hint").textContent).toBe("A batch goes from your wallet.");
  });

  it("says the wallet only signs, that the relayer submits, and who paid", () => {
    const { rerender } = render(<TxStatus state={{ status: "signing", via: "relay" }} action="Register key" />);
    expect(screen.getByRole("status").textContent).toContain("a signature only, no transaction and no gas from you");
    rerender(<TxStatus state={{ status: "relaying" }} action="Register key" />);
    expect(screen.getByTestId("tx-relaying").textContent).toContain("The API's relayer is checking “Register key” and submitting it");
    rerender(<TxStatus state={{ status: "confirmed", hash: txHash, blockNumber: 7n, paidBy: relayer }} action="Register key" />);
    expect(screen.getByTestId("tx-confirmed").textContent).toContain("sent and paid for by the API's relayer 0xbcd4…4096");
    expect(screen.getByTestId("tx-confirmed").dataset.paidBy).toBe(relayer);
  });
});
