import type { ReactNode } from "react";
import { useConnection } from "wagmi";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** Shows `children` only with a wallet connected on the deployment's chain, else says what is missing. */
export function RequireWallet({ children, action }: { children: ReactNode; action: string }) {
  const connection = useConnection();
  const { runtime } = useRuntime();
  if (!connection.isConnected) {
    return (
      <div className="empty" data-testid="connect-prompt">
        <p>Connect a wallet to {action}.</p>
        <button type="button" className="primary" onClick={() => document.querySelector<HTMLButtonElement>("[data-connect-button]")?.click()}>
          Connect a wallet
        </button>
      </div>
    );
  }
  if (connection.chainId !== runtime.chainId) {
    return (
      <div className="empty">
        <p>Switch your wallet to chain {runtime.chainId} to {action}.</p>
      </div>
    );
  }
  return <>{children}</>;
}
