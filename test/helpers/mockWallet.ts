// A wallet for the dApp's jsdom tests, where no browser wallet can run: connected as one
// owner on chain 31337, recording the transactions it is asked to send and the typed data
// it is asked to sign. The real signing path runs in web/src/chain/relaySigned.test.ts
// (a Hardhat node's eth_signTypedData_v4) and in the browser e2e.
// Use: vi.mock("wagmi", () => ({ useConfig: () => ({}) }));
//      vi.mock("wagmi/actions", () => import("<path>/test/helpers/mockWallet.ts").then((m) => m.wagmiActions));
import { vi } from "vitest";

export const mockWalletOwner = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199";
/** The signature the mocked wallet gives for any typed data. */
export const mockWalletSignature = `0x${"11".repeat(65)}` as const;

export const mockWallet = {
  writeContract: vi.fn(async (_config: unknown, _request: { functionName: string; args: readonly unknown[] }) => `0x${"ee".repeat(32)}`),
  signTypedData: vi.fn(async (..._: unknown[]) => mockWalletSignature),
};

/** What `wagmi/actions` becomes in these tests. */
export const wagmiActions = {
  getConnection: () => ({ isConnected: true, chainId: 31337, address: mockWalletOwner }),
  writeContract: (...args: Parameters<typeof mockWallet.writeContract>) => mockWallet.writeContract(...args),
  signTypedData: (...args: unknown[]) => mockWallet.signTypedData(...args),
};

/** Forgets the recorded calls (after each test). */
export function resetMockWallet() {
  mockWallet.writeContract.mockClear();
  mockWallet.signTypedData.mockClear();
}
