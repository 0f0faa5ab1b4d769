import { useState } from "react";
import type { Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import type { RegistryIndex } from "../indexer/index.ts";
import { parseKeyId } from "../lib/parseKeyId.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { Modal } from "./Modal.tsx";
import { TextField } from "./TextField.tsx";
import { TxStatus } from "./TxStatus.tsx";
import { useTransaction } from "./useTransaction.ts";

/** Guardians only: suspend an active key at once; only the DAO can lift it. */
export function SuspendKey({ registry, initialKeyId }: { registry: RegistryIndex; initialKeyId?: Hex | undefined }) {
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const [keyIdText, setKeyIdText] = useState<string>(initialKeyId ?? "");
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const keyId = parseKeyId(keyIdText);
  const key = keyId ? registry.keys.get(keyId) : undefined;
  const keyError = !keyId ? "Enter a key id." : !key ? "No key with this id is registered." : key.state !== "active" ? `This key is ${key.state}.` : undefined;
  const reasonError = reason.trim() === "" ? "Give a reason: it is recorded on-chain." : undefined;

  return (
    <section className="card guardian" aria-labelledby="suspend-title">
      <h2 id="suspend-title">
        <span className="badge warning">Guardian</span> Suspend a key
      </h2>
      <p>You are a guardian: you can stop a key at once while the DAO decides. Only a DAO proposal can lift a suspension.</p>
      <form className="form" onSubmit={(event) => { event.preventDefault(); setSubmitted(true); if (!keyError && !reasonError) setConfirming(true); }} noValidate>
        <fieldset className="panel" disabled={tx.busy}>
          <legend>Key to suspend</legend>
          <TextField label="Key id" value={keyIdText} spellCheck={false} placeholder="0x…" onChange={(event) => setKeyIdText(event.target.value)} error={submitted ? keyError : undefined} hint={key ? `${key.label} v${key.version}, owned by ${shortHex(key.owner)}.` : undefined} />
          <TextField label="Reason (public, on-chain)" value={reason} onChange={(event) => setReason(event.target.value)} error={submitted ? reasonError : undefined} />
        </fieldset>
        <div className="actions">
          <button type="submit" className="danger" disabled={tx.busy}>Suspend…</button>
        </div>
        <Modal id="confirm-suspend" open={confirming} title="Suspend this key?" onClose={() => setConfirming(false)}>
          <p>
            Requests signed with {key?.label} v{key?.version} <code>{keyId && shortHex(keyId, 6)}</code> will be rejected until the DAO lifts the suspension.
          </p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setConfirming(false)} autoFocus>Cancel</button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                void tx.send({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "suspend", args: [keyId, reason.trim()] });
              }}
            >
              Suspend now
            </button>
          </div>
        </Modal>
        <TxStatus state={tx.state} action="Suspend key" />
      </form>
    </section>
  );
}
