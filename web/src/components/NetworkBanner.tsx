import { useConnection, useSwitchChain } from "wagmi";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { describeError } from "../lib/describeError.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** Problems that affect every page: wrong network, unreachable or mismatched chain. */
export function NetworkBanner() {
  const { runtime } = useRuntime();
  const connection = useConnection();
  const switchChain = useSwitchChain();
  const snapshot = useChainSnapshot();
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
      {snapshot.error && (
        <div className="banner error" role="alert" data-testid="chain-error">
          <p>
            {snapshot.error.name === "DeploymentMismatchError"
              ? snapshot.error.message
              : `Cannot read the chain at ${runtime.rpcUrl}: ${describeError({ error: snapshot.error }).title}`}
            {snapshot.data && ` Showing data as of block ${snapshot.data.head.number}.`}
          </p>
        </div>
      )}
    </div>
  );
}
