import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { WagmiProvider } from "wagmi";
import { getPublicClient } from "wagmi/actions";
import type { PublicClient } from "viem";
import { App } from "./App.tsx";
import { createIndexerClient } from "./indexer/index.ts";
import { createWagmiConfig, localChainId } from "./runtime/createWagmiConfig.ts";
import { loadRuntime } from "./runtime/loadRuntime.ts";
import { RuntimeContext, type RuntimeContextValue } from "./runtime/RuntimeContext.ts";


type Loaded = { value: RuntimeContextValue; wagmi: ReturnType<typeof createWagmiConfig>; queryClient: QueryClient };

/** Loads the deployment the page is served for, then mounts the app for its chain. */
export function Boot() {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    loadRuntime({ baseUrl: document.baseURI }).then((runtime) => {
      const wagmi = createWagmiConfig(runtime);
      const client = getPublicClient(wagmi) as PublicClient;
      const isLocal = runtime.chainId === localChainId;
      const indexer = runtime.indexerUrl ? createIndexerClient({ url: runtime.indexerUrl }) : null;
      const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });
      setLoaded({ value: { runtime, client, indexer, isLocal, pollingInterval: isLocal ? 1_000 : 4_000 }, wagmi, queryClient });
    }, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  if (error) {
    return (
      <main className="boot">
        <h1>KeyLedger</h1>
        <div className="note error" role="alert">
          <p><strong>The dApp cannot start.</strong></p>
          <p>{error}</p>
        </div>
      </main>
    );
  }
  if (!loaded) return <main className="boot" aria-busy="true"><p>Loading the deployment…</p></main>;
  return (
    <WagmiProvider config={loaded.wagmi}>
      <QueryClientProvider client={loaded.queryClient}>
        <RuntimeContext.Provider value={loaded.value}>
          <App />
        </RuntimeContext.Provider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}
