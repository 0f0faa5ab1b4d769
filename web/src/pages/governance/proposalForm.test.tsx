// @vitest-environment jsdom
// ProposalForm: the revoke kind's three reaches (key, lineage, owner) and the
// "extend a suspension" kind, down to the calldata the governor is asked to propose.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { type Address, decodeFunctionData, getAddress, type Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import type { IndexedKey, RegistryIndex, RegistryPolicy } from "../../indexer/index.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import { ProposalForm } from "./ProposalForm.tsx";

const proposer = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" as Address;
vi.mock("wagmi", () => ({ useConfig: () => ({}), useConnection: () => ({ address: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" }) }));
const wallet = vi.hoisted(() => ({ writeContract: vi.fn(async () => "0xhash") }));
vi.mock("wagmi/actions", () => ({
  getConnection: () => ({ isConnected: true, chainId: 31337, address: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" }),
  writeContract: wallet.writeContract,
}));

afterEach(() => {
  cleanup();
  wallet.writeContract.mockClear();
});

const registryAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const governor = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" as Address;
const owner = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const id = (tail: string) => `${owner.toLowerCase()}${tail.repeat(24)}` as Hex;
const [v1, v2, v3] = [id("1"), id("2"), id("3")];
const now = 1_000_000;
const policy: RegistryPolicy = { maxLifetime: 365 * 86_400, maxOverlap: 30 * 86_400, maxSuspension: 86_400, maxKeysPerOwner: 100, allowedAlgorithms: 0b1110, allowedScopes: 0b11 };

const key = (keyId: Hex, version: number, extra: Partial<IndexedKey> = {}): IndexedKey => ({
  keyId,
  owner,
  alg: "ed25519",
  label: "bot",
  version,
  scopes: 1,
  notBefore: now - 100,
  expiresAt: now + 86_400 * 30,
  state: "active",
  suspendedUntil: 0,
  rotated: false,
  lineageId: v1,
  publicKey: "0x",
  proof: "0x",
  events: [],
  ...extra,
});

function renderForm(keys: IndexedKey[], { initialKeyId, ownerRevoked = false }: { initialKeyId?: Hex; ownerRevoked?: boolean } = {}) {
  const simulateContract = vi.fn(async (request: { args: readonly unknown[] }) => ({ request }));
  const readContract = vi.fn(async () => ({ unreleasedLineages: 2, revoked: ownerRevoked }));
  const value = {
    runtime: {
      chainId: 31337,
      addresses: { KeyRegistry: registryAddress, KeyLedgerGovernor: governor },
      governanceParams: { votingDelay: 1, votingPeriod: 300, timelockDelay: 60, quorumPercent: 4 },
    },
    client: { simulateContract, readContract, waitForTransactionReceipt: vi.fn(async () => ({ status: "success", blockNumber: 5n })) },
    indexer: null,
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  const registry: RegistryIndex = { keys: new Map(keys.map((k) => [k.keyId, k])), policy, scopeNames: ["read", "trade"], guardians: [] };
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RuntimeContext.Provider value={value}>
        <ProposalForm registry={registry} initialKeyId={initialKeyId} now={now} />
      </RuntimeContext.Provider>
    </QueryClientProvider>,
  );
  return { simulateContract, readContract };
}

/** Submits and returns the registry call and the description the governor was asked to propose. */
async function submitted(simulateContract: ReturnType<typeof renderForm>["simulateContract"]) {
  fireEvent.click(screen.getByTestId("propose-submit"));
  await waitFor(() => expect(simulateContract).toHaveBeenCalled());
  const [targets, , calldatas, description] = simulateContract.mock.calls[0]![0].args as [Address[], bigint[], Hex[], string];
  expect(targets).toEqual([registryAddress]);
  return { call: decodeFunctionData({ abi: keyRegistryAbi, data: calldatas[0]! }), description };
}

const lineage = () => [key(v1, 1, { rotated: true, nextKeyId: v2 }), key(v2, 2, { previousKeyId: v1 })];

describe("ProposalForm: revoke", () => {
  it("this key only: governanceRevoke, saying a rotated key's later versions stay valid", async () => {
    const { simulateContract } = renderForm(lineage(), { initialKeyId: v1 });
    expect(screen.getByRole("radio", { name: "This key only" })).toHaveProperty("checked", true);
    expect(screen.getByTestId("revoke-scope-hint").textContent).toContain("It was rotated: its later versions stay valid.");
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "leaked" } });
    const { call, description } = await submitted(simulateContract);
    expect(call).toEqual({ functionName: "governanceRevoke", args: [v1, "leaked"] });
    expect(description).toBe(`# Revoke key ${v1.slice(0, 8)}…${v1.slice(-6)} (bot v1)\n\n#proposer=${proposer}`);
  });

  it("this key and every later version: governanceRevokeLineage, the lineage as it stands today listed", async () => {
    const { simulateContract } = renderForm(lineage(), { initialKeyId: v1 });
    fireEvent.click(screen.getByRole("radio", { name: "This key and every later version of its lineage" }));
    expect(screen.getByTestId("revoke-scope-hint").textContent).toContain("rotating during the vote does not escape it");
    expect(screen.getByTestId("revoke-scope-hint").textContent).toContain("Today: v1, v2.");
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "dodging" } });
    const { call, description } = await submitted(simulateContract);
    expect(call).toEqual({ functionName: "governanceRevokeLineage", args: [v1, "dodging"] });
    expect(description.split("\n")[0]).toBe(`# Revoke key ${v1.slice(0, 8)}…${v1.slice(-6)} (bot v1) and its later versions`);
  });

  it("a revoked key: refused alone, accepted for its lineage while a later version lives, refused once all are revoked", async () => {
    renderForm([key(v1, 1, { state: "revoked", rotated: true, nextKeyId: v2 }), key(v2, 2, { previousKeyId: v1 })], { initialKeyId: v1 });
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "x" } });
    fireEvent.click(screen.getByTestId("propose-submit"));
    expect(await screen.findByText("This key is already revoked.")).toBeTruthy();
    fireEvent.click(screen.getByRole("radio", { name: "This key and every later version of its lineage" }));
    expect(screen.queryByText("This key is already revoked.")).toBeNull();
    expect(screen.getByTestId("revoke-scope-hint").textContent).toContain("Today: v1 (revoked), v2.");
    cleanup();
    renderForm([key(v1, 1, { state: "revoked", rotated: true, nextKeyId: v2 }), key(v2, 2, { previousKeyId: v1, state: "revoked" })], { initialKeyId: v1 });
    fireEvent.click(screen.getByRole("radio", { name: "This key and every later version of its lineage" }));
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "x" } });
    fireEvent.click(screen.getByTestId("propose-submit"));
    expect(await screen.findByText("This key and every later version of its lineage are already revoked.")).toBeTruthy();
  });

  it("every key of its owner: the owner from the id's first 20 bytes, a warning that it is final, governanceRevokeOwner", async () => {
    const { simulateContract, readContract } = renderForm([key(v3, 1, { lineageId: v3 })], { initialKeyId: v3 });
    fireEvent.click(screen.getByRole("radio", { name: "Every key of its owner" }));
    expect(screen.getByTestId("revoke-owner").textContent).toBe(owner);
    const warning = screen.getByTestId("revoke-owner-warning").textContent!;
    expect(warning).toContain("Final.");
    expect(warning).toContain("refuses their new keys and rotations");
    expect(warning).toContain("cannot be undone");
    expect((await screen.findByTestId("revoke-owner-record")).textContent).toBe("On chain today: 2 unreleased lineages (live, expired, or revoked and not yet released), not revoked.");
    expect(readContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "ownerRecord", args: [owner] }));
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "botnet" } });
    const { call, description } = await submitted(simulateContract);
    expect(call).toEqual({ functionName: "governanceRevokeOwner", args: [owner, "botnet"] });
    expect(description.split("\n")[0]).toBe("# Revoke owner 0x7099…79C8 (every key, final)");
  });

  it("an owner already revoked is refused", async () => {
    const { simulateContract } = renderForm([key(v3, 1, { state: "revoked" })], { initialKeyId: v3, ownerRevoked: true });
    fireEvent.click(screen.getByRole("radio", { name: "Every key of its owner" }));
    fireEvent.change(screen.getByLabelText("Reason (public, on-chain)"), { target: { value: "x" } });
    // Submitted before the chain answered: nothing is sent, and the answer refuses it.
    fireEvent.click(screen.getByTestId("propose-submit"));
    expect(await screen.findByText(/Its owner is already revoked/)).toBeTruthy();
    fireEvent.click(screen.getByTestId("propose-submit"));
    expect(simulateContract).not.toHaveBeenCalled();
  });
});

describe("ProposalForm: extend a suspension", () => {
  const end = now + 3_600;
  it("shows the current end and the new one, and proposes extendSuspension(current end + extension)", async () => {
    const { simulateContract } = renderForm([key(v1, 1, { state: "suspended", suspendedUntil: end })], { initialKeyId: v1 });
    fireEvent.click(screen.getByRole("radio", { name: "Extend a suspension" }));
    expect(screen.getByTestId("suspension-current-end").textContent).toContain("(in 1 h)");
    fireEvent.change(screen.getByLabelText("Extend the suspension by"), { target: { value: "2" } });
    expect(screen.getByText(/New end: .*\(1970-01-14 14:46 UTC\)\./)).toBeTruthy();
    // Local governance: 1 s + 300 s + 60 s, well inside the hour left.
    expect(screen.queryByTestId("suspension-lapses-first")).toBeNull();
    const { call, description } = await submitted(simulateContract);
    expect(call).toEqual({ functionName: "extendSuspension", args: [v1, end + 2 * 86_400] });
    expect(description.split("\n")[0]).toBe(`# Extend the suspension of key ${v1.slice(0, 8)}…${v1.slice(-6)} (bot v1) to 1970-01-14 14:46 UTC`);
  });

  it("warns when the suspension ends before the proposal could execute", () => {
    renderForm([key(v1, 1, { state: "suspended", suspendedUntil: now + 120 })], { initialKeyId: v1 });
    fireEvent.click(screen.getByRole("radio", { name: "Extend a suspension" }));
    expect(screen.getByTestId("suspension-lapses-first").textContent).toContain("before this proposal can execute");
  });

  it("refuses a key that is not suspended, or whose suspension lapsed", async () => {
    const { simulateContract } = renderForm([key(v1, 1), key(v2, 1, { state: "suspended", suspendedUntil: now - 60 })], { initialKeyId: v1 });
    fireEvent.click(screen.getByRole("radio", { name: "Extend a suspension" }));
    fireEvent.click(screen.getByTestId("propose-submit"));
    expect(await screen.findByText("This key is not suspended: only a guardian's suspension still in force can be extended.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Key id"), { target: { value: v2 } });
    expect(screen.getByText("Its suspension lapsed 1 min ago: the key reads active again, and a lapsed suspension cannot be extended.")).toBeTruthy();
    expect(simulateContract).not.toHaveBeenCalled();
  });
});
