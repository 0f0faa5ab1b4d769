import type { ReactNode } from "react";
import { Modal } from "./Modal.tsx";

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
};

/** The last look before a transaction: every value it will put on chain, then confirm or go back. */
export function ReviewDialog({ id, open, title, rows, note, confirmLabel, onConfirm, onCancel }: ReviewDialogProps) {
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
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Back to edit
        </button>
        <button type="button" className="primary" onClick={onConfirm} data-testid="review-confirm">
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
