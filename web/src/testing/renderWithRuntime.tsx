import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { type Address, zeroAddress } from "viem";
import { RuntimeContext, type RuntimeContextValue } from "../runtime/RuntimeContext.ts";

export type RenderWithRuntimeParameters = {
  /** The parts of the public client the component uses (simulateContract, waitForTransactionReceipt, …). */
  client: unknown;
  /** The parts of the indexer client the component uses. */
  indexer: unknown;
  registry: Address;
  /** The dApp's API relays signed operations ("Sign, let the API pay"); default false. */
  relay?: boolean | undefined;
};

/**
 * Renders `ui` for a component test as the dApp runs it on the local chain (31337),
 * with a fresh query client that does not retry, and `client` / `indexer` as given.
 */
export function renderWithRuntime(ui: ReactNode, { client, indexer, registry, relay = false }: RenderWithRuntimeParameters) {
  const value = {
    runtime: { chainId: 31337, apiUrl: relay ? "http://dapp.test/api" : null, relay, addresses: { KeyRegistry: registry, KeyLedgerTimelock: zeroAddress } },
    client,
    indexer,
    isLocal: true,
    pollingInterval: 1_000,
  } as unknown as RuntimeContextValue;
  return render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RuntimeContext.Provider value={value}>{ui}</RuntimeContext.Provider>
    </QueryClientProvider>,
  );
}
