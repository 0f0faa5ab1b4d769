import { useConnection, useSwitchChain } from "wagmi";
import { useIndexerHealth } from "../indexer/index.ts";
import { describeError } from "../lib/describeError.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** Problems that affect every page: wrong network, unreachable chain, indexer down or behind. */
export function NetworkBanner() {
  const { runtime } = useRuntime();
  const connection = useConnection();
  const switchChain = useSwitchChain();
  const health = useIndexerHealth();
  const wrongNetwork = connection.isConnected && connection.chainId !== runtime.chainId;

  return (
    <div className="banners">
      {wrongNetwork && (
        <div className="banner warning" role="alert" data-testid="wrong-network">
          <p>
            Your wallet is on chain {connection.chainId}; this deployment lives on chain {runtime.chainId}. Transactions are
            disabled until you switch.
          </p>
          <button type="button" className="secondary small" onClick={() => switchChain.mutate({ chainId: runtime.chainId })} disabled={switchChain.isPending}>
            {switchChain.isPending ? "Switching…" : `Switch to chain ${runtime.chainId}`}
          </button>
          {switchChain.error && <p>{describeError({ error: switchChain.error }).title}</p>}
        </div>
      )}
      {health.chainError && (
        <div className="banner error" role="alert" data-testid="chain-error">
          <p>Cannot read the chain at {runtime.rpcUrl}: {describeError({ error: health.chainError }).title}</p>
        </div>
      )}
      <IndexerBanner message={health.message} status={health.status} />
    </div>
  );
}

/** Says the indexer is down or behind, so nothing on the page passes for current state. */
export function IndexerBanner({ message, status }: { message: string | undefined; status: string }) {
  if (!message) return null;
  return (
    <div className={`banner ${status === "behind" ? "warning" : "error"}`} role="alert" id="indexer-banner" data-testid="indexer-banner" data-status={status}>
      <p>{message}</p>
    </div>
  );
}
