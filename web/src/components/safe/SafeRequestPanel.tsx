import type { ReactNode } from "react";
import type { TransactionReceipt } from "viem";
import { SafePrepareError } from "./SafePrepareError.tsx";
import { SafeSigning } from "./SafeSigning.tsx";
import type { useSafeOperation } from "./useSafeOperation.ts";

export type SafeRequestPanelProps = {
  safeOp: ReturnType<typeof useSafeOperation>;
  action: string;
  scopeNames: readonly string[];
  /** Submitted and confirmed: the request can no longer be discarded. */
  done?: boolean | undefined;
  onConfirmed?: ((receipt: TransactionReceipt) => void) | undefined;
  confirmed?: ReactNode;
};

/** Where a page's Safe operation stands: why it could not be prepared, or its signing panel. */
export function SafeRequestPanel({ safeOp, action, scopeNames, done, onConfirmed, confirmed }: SafeRequestPanelProps) {
  return (
    <>
      <SafePrepareError error={safeOp.error} />
      {safeOp.request && safeOp.choice.safe && (
        <SafeSigning
          request={safeOp.request}
          onChange={safeOp.setRequest}
          safe={safeOp.choice.safe}
          action={action}
          scopeNames={scopeNames}
          onDiscard={done ? undefined : safeOp.discard}
          onConfirmed={onConfirmed}
          confirmed={confirmed}
        />
      )}
    </>
  );
}
