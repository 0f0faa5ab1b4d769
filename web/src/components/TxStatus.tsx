import { useEffect, useRef } from "react";
import { shortHex } from "../lib/shortHex.ts";
import type { TransactionState } from "./useTransaction.ts";

export type TxStatusProps = {
  state: TransactionState;
  action: string;
  confirmed?: React.ReactNode;
  /** Move focus to the confirmation (when the control that sent it goes away, e.g. a form done). */
  focusOnConfirm?: boolean | undefined;
};

/** The live state of a transaction, announced to screen readers as it changes. */
export function TxStatus({ state, action, confirmed, focusOnConfirm }: TxStatusProps) {
  const confirmation = useRef<HTMLDivElement>(null);
  const isConfirmed = state.status === "confirmed";
  useEffect(() => {
    if (isConfirmed && focusOnConfirm) confirmation.current?.focus();
  }, [isConfirmed, focusOnConfirm]);
  return (
    <div className="tx-status" role="status" aria-live="polite">
      {state.status === "preparing" && <p className="note">Checking “{action}” against the chain…</p>}
      {state.status === "signing" &&
        (state.via === "relay" ? (
          <p className="note pending">Sign “{action}” in your wallet: a signature only, no transaction and no gas from you…</p>
        ) : (
          <p className="note pending">Confirm “{action}” in your wallet…</p>
        ))}
      {state.status === "relaying" && (
        <p className="note pending" data-testid="tx-relaying">
          <span className="spinner" aria-hidden="true" /> Signed. The API's relayer is checking “{action}” and submitting it (it pays the gas)…
        </p>
      )}
      {state.status === "pending" && (
        <p className="note pending">
          <span className="spinner" aria-hidden="true" /> “{action}” is pending in transaction <code title={state.hash}>{shortHex(state.hash, 6)}</code>
          {state.via === "relay" ? ", sent by the API's relayer" : ""}…
        </p>
      )}
      {state.status === "confirmed" && (
        <div className="note success" data-testid="tx-confirmed" data-paid-by={state.paidBy} ref={confirmation} tabIndex={-1}>
          <p>
            “{action}” confirmed in block {state.blockNumber.toString()} (transaction <code title={state.hash}>{shortHex(state.hash, 6)}</code>
            {state.paidBy && (
              <>
                , sent and paid for by the API's relayer <code title={state.paidBy}>{shortHex(state.paidBy, 4)}</code>
              </>
            )}
            ).
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
