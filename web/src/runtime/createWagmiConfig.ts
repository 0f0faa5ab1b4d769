import { createConfig, http } from "wagmi";
import { injected } from "wagmi/connectors/injected";
import { defineChain } from "viem";
import { devAccountConnector } from "./devAccountConnector.ts";
import type { Runtime } from "./loadRuntime.ts";

export const localChainId = 31337;

/**
 * wagmi for one deployment's chain: EIP-6963 wallets are discovered by wagmi
 * itself; `injected()` covers legacy `window.ethereum` wallets; the local chain
 * also gets the dev-account connector.
 */
export function createWagmiConfig(runtime: Runtime) {
  const isLocal = runtime.chainId === localChainId;
  const chain = defineChain({
    id: runtime.chainId,
    name: isLocal ? "KeyLedger local chain" : `Chain ${runtime.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [runtime.rpcUrl] } },
  });
  return createConfig({
    chains: [chain],
    connectors: [injected({ shimDisconnect: true }), ...(isLocal ? [devAccountConnector({ rpcUrl: runtime.rpcUrl, chainId: chain.id })] : [])],
    transports: { [chain.id]: http(runtime.rpcUrl, { batch: true }) },
    multiInjectedProviderDiscovery: true,
    pollingInterval: isLocal ? 1_000 : 4_000,
  });
}
