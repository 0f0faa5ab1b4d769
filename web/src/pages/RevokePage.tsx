import { useState } from "react";
import type { Hex } from "viem";
import { useConnection } from "wagmi";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { keyStatusAt } from "../chain/keyStatusAt.ts";
import { lineages } from "../chain/lineages.ts";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { Modal } from "../components/Modal.tsx";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { SendViaChoice, useSendVia } from "../components/SendViaChoice.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { TextField } from "../components/TextField.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { useTransaction } from "../components/useTransaction.ts";
import { shortHex } from "../lib/shortHex.ts";
import { maxRelayReasonBytes } from "../../../src/chain/signedOperations/parseRelayPayload.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { OwnerChoice } from "../components/safe/OwnerChoice.tsx";
import { useSafeOperation } from "../components/safe/useSafeOperation.ts";
import { SafeRevokeForm } from "./safe/SafeRevokeForm.tsx";

const reasons = ["compromised", "retired", "leaked in logs", "employee left"];

export default function RevokePage({ param }: { param?: string | undefined }) {
  return (
    <section aria-labelledby="revoke-title">
      <h1 id="revoke-title">Revoke keys</h1>
      <p className="lead">
        Revocation is immediate and final: verifiers reject the key from the next block on, and its id can never be
        registered again. Select several keys to revoke them in one transaction (incident response).
      </p>
      <RequireWallet action="revoke your keys">
        <RevokeForm initial={param as Hex | undefined} />
      </RequireWallet>
    </section>
  );
}

function RevokeForm({ initial }: { initial: Hex | undefined }) {
  const { address } = useConnection();
  const snapshot = useChainSnapshot();
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const [selected, setSelected] = useState<ReadonlySet<Hex>>(() => new Set(initial ? [initial] : []));
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  // What the last confirmed transaction revoked, named after success (the selection is cleared then).
  const [revoked, setRevoked] = useState<{ keyId: Hex; label: string; version: number }[]>([]);
  const { via: chosenVia, setVia, offered } = useSendVia();
  // "Owner: a Safe": the Safe's keys, revoked by its owners' signatures (issue 12).
  const safeOp = useSafeOperation();

  if (!snapshot.data || !address) return <p aria-busy="true">Reading the registry…</p>;
  const { registry, head } = snapshot.data;
  const ownerChoice = <OwnerChoice choice={safeOp.choice} disabled={tx.busy || Boolean(safeOp.request)} />;
  if (safeOp.isSafe) {
    return (
      <>
        {ownerChoice}
        <SafeRevokeForm safeOp={safeOp} initial={initial} scopeNames={registry.scopeNames} now={head.timestamp} />
      </>
    );
  }
  const groups = lineages(registry, address)
    .map((l) => ({ ...l, versions: l.versions.filter((k) => k.state !== "revoked") }))
    .filter((l) => l.versions.length > 0);
  const revocable = new Set(groups.flatMap((l) => l.versions.map((k) => k.keyId)));
  const chosen = [...selected].filter((id) => revocable.has(id));
  // The registry signs one revocation per signature (`revokeFor`; there is no signed batch), and the
  // relayer takes reasons up to 256 bytes: anything else goes from the wallet.
  const relayUnavailable =
    chosen.length > 1
      ? "A batch goes from your wallet: a signature covers one key (select one to let the API pay)."
      : new TextEncoder().encode(reason.trim()).length > maxRelayReasonBytes
        ? `The API relays reasons up to ${maxRelayReasonBytes} bytes: shorten it, or send from your wallet.`
        : undefined;
  const via = relayUnavailable ? "wallet" : chosenVia;
  const reasonError = submitted && reason.trim() === "" ? "Give a reason: it is recorded on-chain with the revocation." : undefined;

  const toggle = (ids: Hex[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  if (groups.length === 0 && tx.state.status !== "confirmed") {
    return (
      <>
        {ownerChoice}
        <div className="empty">
          <p>This account has no keys left to revoke.</p>
        </div>
      </>
    );
  }

  const revoke = async () => {
    setConfirming(false);
    const request =
      chosen.length === 1
        ? { address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "revoke", args: [chosen[0], reason.trim()] }
        : { address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "revokeBatch", args: [chosen, reason.trim()] };
    const sending = chosen.map((keyId) => ({ keyId, label: registry.keys.get(keyId)?.label ?? "", version: registry.keys.get(keyId)?.version ?? 0 }));
    const receipt = await tx.send(request, { scopeNames: registry.scopeNames, via, action: sending.length > 1 ? `Revoke ${sending.length} keys` : "Revoke key" });
    if (receipt) {
      setRevoked(sending);
      setSelected(new Set());
      setReason("");
      setSubmitted(false);
    }
  };
  const done = tx.state.status === "confirmed";

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        // A new submission after a success starts afresh: the green message goes.
        if (done) tx.reset();
        if (chosen.length > 0 && reason.trim() !== "") setConfirming(true);
      }}
      noValidate
    >
      {ownerChoice}
      {groups.map((group) => {
        const ids = group.versions.map((k) => k.keyId);
        const all = ids.every((id) => selected.has(id));
        return (
          <fieldset className="panel" key={group.lineageId} disabled={tx.busy}>
            <legend>{group.label}</legend>
            <label className="checkbox select-all">
              <input type="checkbox" checked={all} onChange={(event) => toggle(ids, event.target.checked)} />
              All {ids.length} unrevoked {ids.length === 1 ? "version" : "versions"} of “{group.label}”
            </label>
            <ul className="plain">
              {group.versions.map((key) => (
                <li key={key.keyId}>
                  <label className="checkbox">
                    <input type="checkbox" checked={selected.has(key.keyId)} onChange={(event) => toggle([key.keyId], event.target.checked)} />
                    v{key.version} <span className="mono">{shortHex(key.keyId, 6)}</span>
                  </label>{" "}
                  <StatusBadge status={keyStatusAt(key, head.timestamp)} />{" "}
                  <a href={`#/lookup/${key.keyId}`} aria-label={`Details of ${group.label} v${key.version}`}>
                    details
                  </a>
                </li>
              ))}
            </ul>
          </fieldset>
        );
      })}
      <fieldset className="panel" disabled={tx.busy}>
        <legend>Reason</legend>
        <TextField
          label="Reason (public, on-chain)"
          list="revoke-reasons"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          error={reasonError}
        />
        <datalist id="revoke-reasons">
          {reasons.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      </fieldset>
      <SendViaChoice via={via} onChange={setVia} offered={offered} disabled={tx.busy} unavailable={relayUnavailable} />
      {submitted && chosen.length === 0 && !done && <p className="field-error">Select at least one key.</p>}
      <div className="actions">
        <button type="submit" className="danger" disabled={tx.busy}>
          {chosen.length > 1 ? `Revoke ${chosen.length} keys…` : "Revoke key…"}
        </button>
      </div>
      <Modal id="confirm-revoke" open={confirming} title={chosen.length > 1 ? `Revoke ${chosen.length} keys?` : "Revoke this key?"} onClose={() => setConfirming(false)}>
        <p>This cannot be undone. Requests signed with {chosen.length > 1 ? "these keys" : "this key"} will be rejected from the next block on.</p>
        <ul className="plain">
          {chosen.map((id) => {
            const key = registry.keys.get(id)!;
            return (
              <li key={id}>
                {key.label} v{key.version} <code>{shortHex(id, 6)}</code>
              </li>
            );
          })}
        </ul>
        <p>
          Reason: <strong>{reason.trim()}</strong>
        </p>
        {offered && (
          <p className="hint" data-testid="revoke-sent-by">
            {via === "relay" ? "You sign it in your wallet (no gas); the API's relayer sends it and pays." : "Your wallet sends the transaction and pays its gas."}
          </p>
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => void revoke()} data-testid="confirm-revoke">
            Revoke permanently
          </button>
        </div>
      </Modal>
      <TxStatus
        state={tx.state}
        action={done ? (revoked.length > 1 ? `Revoke ${revoked.length} keys` : "Revoke key") : chosen.length > 1 ? `Revoke ${chosen.length} keys` : "Revoke key"}
        confirmed={
          revoked.length > 0 && (
            <div data-testid="revoked-keys">
              <p>Revoked {revoked.length === 1 ? "key" : `${revoked.length} keys`}:</p>
              <ul className="plain">
                {revoked.map((k) => (
                  <li key={k.keyId}>
                    {k.label} v{k.version} <a href={`#/lookup/${k.keyId}`}><code title={k.keyId}>{shortHex(k.keyId, 6)}</code></a>
                  </li>
                ))}
              </ul>
            </div>
          )
        }
      />
    </form>
  );
}
