// @vitest-environment jsdom
// The Safe signing panel: the message to sign, who has signed and how many are missing,
// the connected owner signing in the page (a real secp256k1 account behind wagmi's
// signTypedData), another owner's signature imported from a pasted request file, a
// non-owner's and a different request's refused with their messages, and the submit
// choice once the threshold is met. Submission against a real Safe, API and chain is in
// test/e2e/browserSafe.test.ts.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { type ReactNode, useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSafeSigningRequest } from "../../chain/safe/createSafeSigningRequest.ts";
import { safeMessageTypedData } from "../../chain/safe/safeMessageTypedData.ts";
import type { SafeSigningRequest } from "../../chain/safe/safeSigningRequest.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import { safeAccounts, safeOwners, testRegistry, testSafe } from "../../testing/safeOwnerWallet.ts";
import { SafeSigning } from "./SafeSigning.tsx";

const [me, second, third, stranger] = safeAccounts;
const owners = safeOwners;
const safe = testSafe;
const registry = testRegistry;

vi.mock("wagmi", () => import("../../testing/safeOwnerWallet.ts").then((m) => m.safeOwnerWagmi));
vi.mock("wagmi/actions", () => import("../../testing/safeOwnerWallet.ts").then((m) => m.safeOwnerWagmiActions));

afterEach(cleanup);

const base = { chainId: 31337, registry, safe, owners, threshold: 2, nonce: 0n, deadline: 2_000_000_000n } as const;
const operation = { operation: "revoke", keyId: `0x${"ab".repeat(32)}`, reason: "retired" } as const;
const runtime = { runtime: { chainId: 31337, addresses: { KeyRegistry: registry }, apiUrl: "http://dapp.test/api", relay: true }, client: {}, indexer: null, isLocal: true, pollingInterval: 1_000 } as unknown as RuntimeContextValue;

function Harness({ initial }: { initial: SafeSigningRequest }) {
  const [request, setRequest] = useState(initial);
  return <SafeSigning request={request} onChange={setRequest} safe={{ ok: true, safe, owners, threshold: 2, version: "1.5.0" }} action="Revoke key" scopeNames={[]} />;
}
const wrap = ({ children }: { children: ReactNode }) => (
  <QueryClientProvider client={new QueryClient()}>
    <RuntimeContext.Provider value={runtime}>{children}</RuntimeContext.Provider>
  </QueryClientProvider>
);
const signedCopy = async (request: SafeSigningRequest, by: typeof me) => ({
  ...request,
  signatures: [{ owner: by.address, signature: await by.signTypedData(safeMessageTypedData({ chainId: 31337, safe, message: request.registryDigest })) }],
});
const paste = (json: unknown) => {
  fireEvent.change(screen.getByLabelText("Or paste a signing request"), { target: { value: JSON.stringify(json) } });
  fireEvent.click(screen.getByRole("button", { name: "Add signatures" }));
};

describe("SafeSigning", () => {
  it("shows the message, signs as the connected owner, takes another owner's file, refuses a non-owner's and another request's, then offers to submit", async () => {
    const request = createSafeSigningRequest({ ...base, operation });
    render(<Harness initial={request} />, { wrapper: wrap });
    expect(screen.getByTestId("safe-message-hash").textContent).toBe(request.safeMessageHash);
    expect(screen.getByTestId("safe-progress").textContent).toBe("0 of 2 signatures; 2 missing.");
    expect(screen.queryByTestId("safe-submit-panel")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Sign with my wallet" }));
    await waitFor(() => expect(screen.getByTestId("safe-progress").textContent).toBe("1 of 2 signatures; 1 missing."));
    expect(screen.getByTestId("safe-notice").textContent).toBe(`Signed by ${me.address} (you).`);
    expect(screen.queryByRole("button", { name: "Sign with my wallet" })).toBeNull();

    // A non-owner's signature in an otherwise valid file.
    paste(await signedCopy(request, stranger));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain(`${stranger.address} is not an owner of the Safe ${safe}`));
    // An owner's signature, but for the next nonce: the whole file is refused.
    paste(await signedCopy(createSafeSigningRequest({ ...base, nonce: 1n, operation }), second));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("This request uses the Safe's registry nonce 1; this one uses 0. Signatures for one do not count for the other."));
    // Its own signature coming back is already counted, not a second vote.
    paste(await signedCopy(request, me));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe(`Nothing new: the file's signatures (${me.address}) are already counted.`));
    expect(screen.getByTestId("safe-progress").textContent).toBe("1 of 2 signatures; 1 missing.");

    paste(await signedCopy(request, third));
    await waitFor(() => expect(screen.getByTestId("safe-progress").textContent).toBe("2 of 2 signatures: the threshold is met."));
    expect(screen.getByTestId("safe-notice").textContent).toBe(`Added ${third.address}'s signature.`);
    expect([...screen.getAllByTestId("safe-owner")].map((li) => li.dataset.signed)).toEqual(["yes", "no", "yes"]);
    expect((screen.getByRole("radio", { name: "Let the API pay" }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole("radio", { name: "Send from my wallet" })).toBeTruthy();
    expect(screen.getByTestId("safe-submit").textContent).toBe("Submit with 2 signatures");
  });
});
