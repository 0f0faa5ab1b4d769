import type { ReactNode } from "react";
import type { DescribedError } from "../lib/describeError.ts";
import { Modal } from "./Modal.tsx";

/** The dry run of the transaction under review: checking, accepted, or refused with the decoded reason. */
export type ReviewCheck = { status: "checking" } | { status: "ok" } | { status: "refused"; error: DescribedError };

export type ReviewDialogProps = {
  id: string;
  open: boolean;
  title: string;
  /** What will be sent, term by term. */
  rows: readonly (readonly [string, ReactNode])[];
  note?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** The simulation's outcome: a refusal is shown here, before the wallet is asked, and blocks confirming. */
  check?: ReviewCheck | undefined;
};

/** The last look before a transaction: every value it will put on chain, then confirm or go back. */
export function ReviewDialog({ id, open, title, rows, note, confirmLabel, onConfirm, onCancel, check }: ReviewDialogProps) {
  return (
    <Modal id={id} open={open} title={title} onClose={onCancel}>
      <dl className="review" data-testid="review">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {note && <p className="hint">{note}</p>}
      {check?.status === "checking" && (
        <p className="hint" aria-busy="true" data-testid="review-checking">
          Checking with the registry (a simulation, nothing is sent)…
        </p>
      )}
      {check?.status === "ok" && (
        <p className="hint" data-testid="review-ok">
          Simulated: the registry would accept this.
        </p>
      )}
      {check?.status === "refused" && (
        <div className="note error" role="alert" data-testid="review-refused" data-code={check.error.code}>
          <p>
            <strong>The registry would refuse this:</strong> {check.error.title}
          </p>
          {check.error.detail && <p>{check.error.detail}</p>}
          <p>Nothing was sent and your wallet was not asked. Go back and change it.</p>
        </div>
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Back to edit
        </button>
        <button type="button" className="primary" onClick={onConfirm} data-testid="review-confirm" disabled={check !== undefined && check.status !== "ok"}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
