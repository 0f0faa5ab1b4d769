import { useState } from "react";
import type { Hex } from "viem";
import { maxRelayReasonBytes } from "../../../../src/chain/signedOperations/parseRelayPayload.ts";
import { keyStatusAt } from "../../chain/keyStatusAt.ts";
import { SafeRequestPanel } from "../../components/safe/SafeRequestPanel.tsx";
import type { useSafeOperation } from "../../components/safe/useSafeOperation.ts";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { TextField } from "../../components/TextField.tsx";
import { type IndexedKey, useOwnerKeys } from "../../indexer/index.ts";
import { shortHex } from "../../lib/shortHex.ts";

export type SafeRevokeFormProps = {
  safeOp: ReturnType<typeof useSafeOperation>;
  initial: Hex | undefined;
  scopeNames: readonly string[];
  now: number;
};

/**
 * Revoking a Safe's key: one key (a signature covers one `revokeFor`; there is no signed
 * batch) and a reason, turned into a signing request for the Safe's owners.
 */
export function SafeRevokeForm({ safeOp, initial, scopeNames, now }: SafeRevokeFormProps) {
  const safe = safeOp.choice.safe;
  const keys = useOwnerKeys(safe?.safe);
  const [keyId, setKeyId] = useState<Hex | undefined>(initial);
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [revoked, setRevoked] = useState(false);
  // The key the request is for, kept: once revoked it leaves the list, and the confirmation still names it.
  const [target, setTarget] = useState<IndexedKey | null>(null);
  if (!safe) return null;
  if (!keys.data) return <p aria-busy="true">Reading the Safe's keys…</p>;
  const revocable = keys.data.filter((k) => k.state !== "revoked").sort((a, b) => a.label.localeCompare(b.label) || a.version - b.version);
  const chosen = revocable.find((k) => k.keyId === keyId);
  const reasonBytes = new TextEncoder().encode(reason.trim()).length;
  const reasonError = !submitted ? undefined : reason.trim() === "" ? "Give a reason: it is recorded on-chain with the revocation." : reasonBytes > maxRelayReasonBytes ? `At most ${maxRelayReasonBytes} bytes for a signed revocation.` : undefined;
  const frozen = Boolean(safeOp.request) || safeOp.preparing;

  if (revocable.length === 0 && !safeOp.request) {
    return (
      <div className="empty">
        <p>The Safe has no keys left to revoke.</p>
      </div>
    );
  }
  return (
    <form
      className="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (!chosen || reason.trim() === "" || reasonBytes > maxRelayReasonBytes) return;
        setTarget(chosen);
        void safeOp.prepare(async () => ({ functionName: "revoke", args: [chosen.keyId, reason.trim()] }), scopeNames);
      }}
    >
      <fieldset className="panel" disabled={frozen}>
        <legend>The Safe's key to revoke</legend>
        <ul className="plain">
          {revocable.map((key) => (
            <li key={key.keyId}>
              <label className="checkbox">
                <input type="radio" name="safe-revoke-key" value={key.keyId} checked={keyId === key.keyId} onChange={() => setKeyId(key.keyId)} />
                {key.label} v{key.version} <span className="mono">{shortHex(key.keyId, 6)}</span>
              </label>{" "}
              <StatusBadge status={keyStatusAt(key, now)} />
            </li>
          ))}
        </ul>
        {submitted && !chosen && <p className="field-error">Select the key to revoke.</p>}
        <TextField label="Reason (public, on-chain)" value={reason} onChange={(event) => setReason(event.target.value)} error={reasonError} />
      </fieldset>
      {!safeOp.request && (
        <div className="actions">
          <button type="submit" className="danger" disabled={safeOp.preparing} data-testid="safe-revoke-prepare">
            {safeOp.preparing ? "Preparing…" : "Prepare the Safe's signing request"}
          </button>
        </div>
      )}
      <SafeRequestPanel
        safeOp={safeOp}
        action="Revoke key"
        scopeNames={scopeNames}
        done={revoked}
        onConfirmed={() => setRevoked(true)}
        confirmed={
          target && (
            <p data-testid="revoked-keys">
              Revoked {target.label} v{target.version} <a href={`#/lookup/${target.keyId}`}><code title={target.keyId}>{shortHex(target.keyId, 6)}</code></a>. Revocation is final.
            </p>
          )
        }
      />
      {revoked && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => { safeOp.discard(); setRevoked(false); setKeyId(undefined); setReason(""); setSubmitted(false); }}>
            Revoke another key of the Safe
          </button>
        </div>
      )}
    </form>
  );
}
