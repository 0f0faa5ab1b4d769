import { shortHex } from "../lib/shortHex.ts";
import type { TransactionState } from "./useTransaction.ts";

export type TxStatusProps = { state: TransactionState; action: string; confirmed?: React.ReactNode };

/** The live state of a transaction, announced to screen readers as it changes. */
export function TxStatus({ state, action, confirmed }: TxStatusProps) {
  return (
    <div className="tx-status" role="status" aria-live="polite">
      {state.status === "preparing" && <p className="note">Checking “{action}” against the chain…</p>}
      {state.status === "signing" && <p className="note pending">Confirm “{action}” in your wallet…</p>}
      {state.status === "pending" && (
        <p className="note pending">
          <span className="spinner" aria-hidden="true" /> “{action}” is pending in transaction <code title={state.hash}>{shortHex(state.hash, 6)}</code>…
        </p>
      )}
      {state.status === "confirmed" && (
        <div className="note success" data-testid="tx-confirmed">
          <p>
            “{action}” confirmed in block {state.blockNumber.toString()} (transaction <code title={state.hash}>{shortHex(state.hash, 6)}</code>).
          </p>
          {confirmed}
        </div>
      )}
      {state.status === "failed" && (
        <div className="note error" role="alert" data-testid="tx-error" data-code={state.error.code}>
          <p>
            <strong>{state.error.title}</strong>
          </p>
          {state.error.detail && <p>{state.error.detail}</p>}
        </div>
      )}
    </div>
  );
}
