import { createPublicClient, createWalletClient, http, type PublicClient, type Transport, type WalletClient } from "viem";
import { hardhat } from "viem/chains";

export type LocalClients = {
  publicClient: PublicClient<Transport, typeof hardhat>;
  walletClient: WalletClient<Transport, typeof hardhat>;
};

/**
 * viem clients for a local node. The wallet client has no fixed account: pass
 * `account: devAccounts[i]` per call and the node signs (its accounts are unlocked).
 */
export function localClients(rpcUrl: string): LocalClients {
  // Automining answers at once; the default 4 s polling would dominate every test.
  const transport = http(rpcUrl);
  return {
    publicClient: createPublicClient({ chain: hardhat, transport, pollingInterval: 20 }),
    walletClient: createWalletClient({ chain: hardhat, transport, pollingInterval: 20 }),
  };
}
