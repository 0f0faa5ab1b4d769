import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type Address, getAddress, zeroAddress } from "viem";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { readSafe } from "../../chain/safe/readSafe.ts";
import { ReviewDialog } from "../../components/ReviewDialog.tsx";
import { SendViaChoice, sendViaRow, useSendVia } from "../../components/SendViaChoice.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useReviewCheck } from "../../components/useReviewCheck.ts";
import { type TransactionRequest, useTransaction } from "../../components/useTransaction.ts";
import { type OwnerRotator as OwnerRotatorRow, useOwnerRotator } from "../../indexer/index.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { parseRotatorInput, RotatorAddressField, rotatorPowers } from "./rotatorInput.tsx";
import { SafeRotatorForm } from "./SafeRotatorForm.tsx";

/**
 * An owner's rotator, from the indexer: the address that may rotate and revoke the
 * owner's keys (a bot, an ops wallet). The owner (`self`) can set or remove it, with a
 * review that simulates the transaction before the wallet is asked. On the public owner
 * view, "Manage as a Safe owner" does it for a Safe, as a signing request for its owners.
 */
export function OwnerRotator({ owner, self }: { owner: Address; self: boolean }) {
  const found = useOwnerRotator(owner);
  const current = found.data?.rotator;
  return (
    <section className="card rotator" aria-labelledby="rotator-title" data-testid="owner-rotator" data-rotator={current ?? ""}>
      <h2 id="rotator-title">Rotator</h2>
      {!found.data ? (
        found.error ? (
          <p className="note error" role="alert">Could not read the rotator from the indexer: {found.error.message}</p>
        ) : (
          <p aria-busy="true">Reading the rotator…</p>
        )
      ) : current ? (
        <p data-testid="rotator-current">
          <code className="break" title={current}>{current}</code> may rotate and revoke {self ? "your" : "this owner's"} keys
          {found.data.updatedAt !== undefined && <> (appointed {formatDateTime(found.data.updatedAt)}, block {found.data.updatedBlock?.toString()})</>}.{" "}
          <span className="muted">{rotatorPowers}</span>
        </p>
      ) : (
        <p data-testid="rotator-none">No rotator: only {self ? "you" : "the owner"} can rotate and revoke these keys.</p>
      )}
      {self && found.data && <RotatorForm owner={owner} current={found.data} />}
      {!self && found.data && <SafeRotatorEntry owner={owner} current={found.data} />}
    </section>
  );
}

/**
 * The owner view's way in for a Safe's owners: when the viewed address is a Safe,
 * "Manage as a Safe owner" offers Set / Remove rotator as a signing request for its owners.
 */
function SafeRotatorEntry({ owner, current }: { owner: Address; current: OwnerRotatorRow }) {
  const { client } = useRuntime();
  const [open, setOpen] = useState(false);
  // Offered only when the address is a Safe (the same query as the Safe form's, so read once).
  const safe = useQuery({ queryKey: ["keyledger", "safe", owner], queryFn: () => readSafe({ client: client as never, safe: owner }), retry: false });
  if (!safe.data?.ok) return null;
  if (open) return <SafeRotatorForm safe={owner} current={current} />;
  return (
    <div className="actions">
      <button type="button" className="secondary" data-testid="manage-as-safe" onClick={() => setOpen(true)}>
        Manage as a Safe owner…
      </button>
    </div>
  );
}

type Pending = { kind: "set"; rotator: Address } | { kind: "remove" };

function RotatorForm({ owner, current }: { owner: Address; current: OwnerRotatorRow }) {
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const { check, start } = useReviewCheck();
  // setRotator has a signed form (setRotatorFor): "Sign, let the API pay" as on Register.
  const { via, setVia, offered } = useSendVia();
  const [text, setText] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  // What was sent last, named in the transaction's status once the review has closed.
  const [sent, setSent] = useState<Pending | null>(null);
  const { parsed, error } = parseRotatorInput({ text, owner, current });
  const request = (p: Pending): TransactionRequest => ({
    address: runtime.addresses.KeyRegistry,
    abi: keyRegistryAbi,
    functionName: "setRotator",
    args: [p.kind === "set" ? p.rotator : zeroAddress],
  });
  const action = (p: Pending) => (p.kind === "set" ? "Set rotator" : "Remove rotator");
  const review = (p: Pending) => {
    if (tx.state.status === "confirmed") tx.reset();
    setPending(p);
    // Simulated while the review is open: a refusal shows decoded before the wallet is asked.
    start(() => tx.simulate(request(p)));
  };
  const confirm = async () => {
    if (!pending) return;
    const p = pending;
    setPending(null);
    setSent(p);
    const receipt = await tx.send(request(p), { action: action(p), via });
    if (receipt && p.kind === "set") {
      setText("");
      setSubmitted(false);
    }
  };

  return (
    <form
      className="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (!error && parsed) review({ kind: "set", rotator: parsed });
      }}
    >
      <fieldset className="panel" disabled={tx.busy}>
        <legend>{current.rotator ? "Replace the rotator" : "Appoint a rotator"}</legend>
        <RotatorAddressField name="rotator-address" value={text} onChange={setText} error={submitted ? error : undefined} hint="A bot or ops wallet that rotates your keys on a schedule. One at a time: a new one replaces the old." />
      </fieldset>
      <SendViaChoice via={via} onChange={setVia} offered={offered} disabled={tx.busy} name="send-via-rotator" />
      <div className="actions">
        <button type="submit" className="primary" disabled={tx.busy} data-testid="set-rotator">
          Set rotator…
        </button>
        {current.rotator && (
          <button type="button" className="danger" disabled={tx.busy} data-testid="remove-rotator" onClick={() => review({ kind: "remove" })}>
            Remove rotator…
          </button>
        )}
      </div>
      <ReviewDialog
        id="review-rotator"
        open={pending !== null}
        check={check}
        title={pending?.kind === "remove" ? "Remove your rotator?" : "Review the new rotator"}
        rows={
          pending?.kind === "set"
            ? [
                ["Owner", <code key="owner">{owner}</code>],
                ["New rotator", <code key="new">{pending.rotator}</code>],
                ["Replaces", current.rotator ? <code key="old">{current.rotator}</code> : "none"],
                ...(offered ? [sendViaRow(via)] : []),
              ]
            : [
                ["Owner", <code key="owner">{owner}</code>],
                ["Removes", current.rotator ? <code key="old">{current.rotator}</code> : "none"],
                ...(offered ? [sendViaRow(via)] : []),
              ]
        }
        note={pending?.kind === "remove" ? "From the next block, only you can rotate and revoke your keys. Keys it rotated stay yours." : rotatorPowers}
        confirmLabel={pending?.kind === "remove" ? "Remove rotator" : "Set rotator"}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      />
      <TxStatus state={tx.state} action={sent ? action(sent) : "Set rotator"} />
    </form>
  );
}
