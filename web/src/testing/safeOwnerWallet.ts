import { getAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { vi } from "vitest";

/**
 * Four fresh accounts for a Safe's component tests: the first is the connected wallet,
 * the first three are the Safe's owners (2 of 3), the fourth is a stranger.
 */
export const safeAccounts = Array.from({ length: 4 }, () => privateKeyToAccount(generatePrivateKey())) as [
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
];
export const safeOwners = safeAccounts.slice(0, 3).map((a) => a.address);
export const testSafe = getAddress("0x1000000000000000000000000000000000000001");
export const testRegistry = getAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3");

/**
 * What a Safe component test mocks "wagmi" and "wagmi/actions" with (vi.mock factories may
 * import this module): the first account connected on the local chain, signing for real
 * the EIP-712 data it is given; transactions are recorded, never sent.
 */
export const safeOwnerWagmi = { useConfig: () => ({}), useConnection: () => ({ address: safeAccounts[0].address, isConnected: true, chainId: 31337 }) };
export const safeOwnerWagmiActions = {
  getConnection: () => ({ isConnected: true, chainId: 31337, address: safeAccounts[0].address }),
  signTypedData: vi.fn(async (_config: unknown, { account: _a, ...typedData }: { account: string }) => safeAccounts[0].signTypedData(typedData as never)),
  writeContract: vi.fn(),
};
