import { useState } from "react";
import { type Address, zeroAddress } from "viem";
import { SafeInfo } from "../../components/safe/OwnerChoice.tsx";
import { SafeRequestPanel } from "../../components/safe/SafeRequestPanel.tsx";
import { useSafeOperation } from "../../components/safe/useSafeOperation.ts";
import type { OwnerRotator } from "../../indexer/index.ts";
import { parseRotatorInput, RotatorAddressField, rotatorPowers } from "./rotatorInput.tsx";

type Pending = { kind: "set"; rotator: Address } | { kind: "remove" };

/**
 * Set or remove a Safe's rotator: `safe` (the owner view's address) is read as a Safe, and
 * `setRotator(rotator)` (zero: remove) becomes a signing request for its owners, signed,
 * exported, assembled and submitted as on Register (the registry's `setRotatorFor`).
 */
export function SafeRotatorForm({ safe, current }: { safe: Address; current: OwnerRotator }) {
  const safeOp = useSafeOperation({ safe });
  const { choice } = safeOp;
  const [text, setText] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState(false);
  const { parsed, error } = parseRotatorInput({ text, owner: safe, current });
  const frozen = Boolean(safeOp.request) || safeOp.preparing;
  const prepare = (p: Pending) => {
    setPending(p);
    void safeOp.prepare(async () => ({ functionName: "setRotator", args: [p.kind === "set" ? p.rotator : zeroAddress] }), []);
  };
  const action = pending?.kind === "remove" ? "Remove rotator" : "Set rotator";
  const notSafe = choice.read.status === "error" ? choice.read.message : choice.read.status === "done" && !choice.read.result.ok ? choice.read.result.message : undefined;

  return (
    <form
      className="form"
      noValidate
      data-testid="safe-rotator"
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (!error && parsed) prepare({ kind: "set", rotator: parsed });
      }}
    >
      <h3>As the Safe's owners</h3>
      {notSafe ? (
        <p className="note error" role="alert">{notSafe}</p>
      ) : !choice.safe ? (
        <p aria-busy="true">Reading the Safe's owners and threshold…</p>
      ) : (
        <>
          <SafeInfo safe={choice.safe} />
          <fieldset className="panel" disabled={frozen}>
            <legend>{current.rotator ? "Replace the Safe's rotator" : "Appoint a rotator for the Safe"}</legend>
            <RotatorAddressField name="safe-rotator-address" value={text} onChange={setText} error={submitted ? error : undefined} hint={`The Safe's owners sign setRotator (a SafeMessage, no Safe transaction), up to its threshold. ${rotatorPowers}`} />
          </fieldset>
          {!safeOp.request && (
            <div className="actions">
              <button type="submit" className="primary" disabled={safeOp.preparing} data-testid="safe-set-rotator">
                {safeOp.preparing && pending?.kind === "set" ? "Preparing…" : "Prepare the Safe's signing request"}
              </button>
              {current.rotator && (
                <button type="button" className="danger" disabled={safeOp.preparing} data-testid="safe-remove-rotator" onClick={() => prepare({ kind: "remove" })}>
                  {safeOp.preparing && pending?.kind === "remove" ? "Preparing…" : "Prepare removing the rotator"}
                </button>
              )}
            </div>
          )}
        </>
      )}
      <SafeRequestPanel
        safeOp={safeOp}
        action={action}
        scopeNames={[]}
        done={done}
        onConfirmed={() => {
          setDone(true);
          setText("");
          setSubmitted(false);
        }}
        confirmed={
          pending && (
            <p data-testid="safe-rotator-done">
              {pending.kind === "set" ? <>The Safe's rotator is now <code className="break">{pending.rotator}</code>.</> : "The Safe has no rotator any more."}
            </p>
          )
        }
      />
      {done && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => { safeOp.discard(); setDone(false); setPending(null); }}>
            Another change for the Safe
          </button>
        </div>
      )}
    </form>
  );
}
