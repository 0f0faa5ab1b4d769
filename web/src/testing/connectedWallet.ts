import { vi } from "vitest";

/** The account the mocked wallet is connected as (on the local chain, 31337). */
export const connectedAccount = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199";

/** The mocked wallet's `writeContract`: a test reads what was sent from its calls. */
export const writeContract = vi.fn(async (_config: unknown, _request: { functionName: string; args: readonly unknown[] }) => "0xhash");

/**
 * What a component test mocks "wagmi" and "wagmi/actions" with (vi.mock factories
 * cannot share code inline, but may import this module): a connected wallet on the
 * local chain whose transactions are recorded, never sent.
 */
export const mockedWagmi = { useConfig: () => ({}) };
export const mockedWagmiActions = {
  getConnection: () => ({ isConnected: true, chainId: 31337, address: connectedAccount }),
  writeContract,
};
