import { type ReactNode, useId, useState } from "react";
import { isAddressEqual, type TransactionReceipt, zeroAddress } from "viem";
import { useConfig, useConnection } from "wagmi";
import { signTypedData } from "wagmi/actions";
import type { RegistryOperation } from "../../../../src/chain/signedOperations/types.ts";
import { addSafeSignature } from "../../chain/safe/addSafeSignature.ts";
import { mergeSafeSigningRequest } from "../../chain/safe/mergeSafeSigningRequest.ts";
import { parseSafeSigningRequest } from "../../chain/safe/parseSafeSigningRequest.ts";
import { safeMessageTypedData } from "../../chain/safe/safeMessageTypedData.ts";
import type { SafeSigningRequest } from "../../chain/safe/safeSigningRequest.ts";
import { describeError } from "../../lib/describeError.ts";
import { downloadJson } from "../../lib/downloadJson.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { TxStatus } from "../TxStatus.tsx";
import type { SendVia } from "../useTransaction.ts";
import { RequestFileInput } from "./RequestFileInput.tsx";
import type { SafeOwner } from "./useOwnerChoice.ts";
import { useSafeSubmit } from "./useSafeSubmit.ts";

export type SafeSigningProps = {
  request: SafeSigningRequest;
  onChange: (request: SafeSigningRequest) => void;
  /** The Safe as read on chain now: its owners and threshold decide, not the file's copy. */
  safe: SafeOwner;
  /** The operation in words ("Register key"), for the status and the recent transactions. */
  action: string;
  scopeNames: readonly string[];
  /** Shown inside the confirmation. */
  confirmed?: ReactNode;
  onConfirmed?: ((receipt: TransactionReceipt) => void) | undefined;
  /** Drops the request (to edit the operation); absent when the request came from a file. */
  onDiscard?: (() => void) | undefined;
};

type Notice = { kind: "success" | "error"; lines: string[] };

/**
 * Collects a Safe's owners' signatures for one registry operation and submits it: the
 * exact SafeMessage hash to sign, who has signed and how many are missing, signing with the
 * connected wallet when it is an owner, export and import of the signing request file for
 * the other owners, and, once the threshold is met, "Let the API pay" or "Send from my wallet".
 */
export function SafeSigning({ request, onChange, safe, action, scopeNames, confirmed, onConfirmed, onDiscard }: SafeSigningProps) {
  const config = useConfig();
  const { address } = useConnection();
  const { runtime } = useRuntime();
  const submitter = useSafeSubmit();
  // Rotate can show two requests at once (rotation and extend overlap): ids and radio names are per instance.
  const id = useId();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [signing, setSigning] = useState(false);
  const [via, setVia] = useState<SendVia>(runtime.relay ? "relay" : "wallet");
  const signedBy = (owner: string) => request.signatures.some((s) => isAddressEqual(s.owner, owner as `0x${string}`));
  const count = request.signatures.filter((s) => safe.owners.some((o) => isAddressEqual(o, s.owner))).length;
  const missing = Math.max(0, safe.threshold - count);
  const isOwner = Boolean(address && safe.owners.some((o) => isAddressEqual(o, address)));
  const done = submitter.state.status === "confirmed";
  const locked = submitter.busy || done;

  const sign = async () => {
    if (!address) return;
    setSigning(true);
    setNotice(null);
    try {
      const signature = await signTypedData(config, { account: address, ...safeMessageTypedData({ chainId: request.chainId, safe: request.safe, message: request.registryDigest }) });
      const added = await addSafeSignature({ request, owners: safe.owners, signature, owner: address });
      if (added.ok) {
        onChange(added.request);
        setNotice({ kind: "success", lines: [`Signed by ${added.signer} (you).`] });
      } else setNotice({ kind: "error", lines: [added.message] });
    } catch (error) {
      const described = describeError({ error });
      setNotice({ kind: "error", lines: [described.title, ...(described.detail ? [described.detail] : [])] });
    } finally {
      setSigning(false);
    }
  };

  const importText = async (text: string) => {
    const parsed = parseSafeSigningRequest(text);
    if (!parsed.ok) return setNotice({ kind: "error", lines: [parsed.message] });
    const merged = await mergeSafeSigningRequest({ current: request, imported: parsed.request, owners: safe.owners });
    if (!merged.ok) return setNotice({ kind: "error", lines: [merged.message] });
    onChange(merged.request);
    const lines = [
      ...merged.added.map((owner) => `Added ${owner}'s signature.`),
      ...merged.refused.map((r) => `Refused: ${r.message}`),
      ...(merged.added.length === 0 && merged.refused.length === 0
        ? [merged.alreadyCounted.length > 0 ? `Nothing new: the file's signatures (${merged.alreadyCounted.join(", ")}) are already counted.` : "The file has no signatures to add."]
        : []),
    ];
    setNotice({ kind: merged.refused.length > 0 || merged.added.length === 0 ? "error" : "success", lines });
  };

  const submit = async () => {
    const receipt = await submitter.submit({ request, threshold: safe.threshold, via, action, scopeNames });
    if (receipt) onConfirmed?.(receipt);
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="safe-signing">
      <h2 id={`${id}-title`}>Safe signatures: {action}</h2>
      <dl className="facts">
        <dt>Safe</dt>
        <dd>
          <code className="break">{request.safe}</code> ({safe.threshold} of {safe.owners.length})
        </dd>
        <dt>Operation</dt>
        <dd>{describeOperation(request.operation)}</dd>
        <dt>Registry nonce</dt>
        <dd>{request.nonce}</dd>
        <dt>Valid until</dt>
        <dd>{formatDateTime(Number(request.deadline))} (chain time)</dd>
        <dt>Message to sign (SafeMessage hash)</dt>
        <dd>
          <code className="break" data-testid="safe-message-hash">{request.safeMessageHash}</code>
        </dd>
        <dt>Registry digest (the SafeMessage's message)</dt>
        <dd>
          <code className="break">{request.registryDigest}</code>
        </dd>
      </dl>
      <p className="hint">Each owner's wallet should show this SafeMessage hash (EIP-712, in the Safe's domain). It covers the operation, the Safe's nonce, the deadline, the chain and the registry: nothing else can be submitted with it.</p>

      <h3>Signatures</h3>
      <p role="status" data-testid="safe-progress">
        {count} of {safe.threshold} signatures{missing > 0 ? `; ${missing} missing.` : ": the threshold is met."}
      </p>
      <ul className="plain" aria-label="Owners">
        {safe.owners.map((owner) => (
          <li key={owner} data-testid="safe-owner" data-signed={signedBy(owner) ? "yes" : "no"}>
            <code>{owner}</code>
            {address && isAddressEqual(owner, address) ? " (you)" : ""}: {signedBy(owner) ? "signed" : "not signed yet"}
          </li>
        ))}
      </ul>
      {!done && (
        <div className="actions">
          {isOwner && !signedBy(address!) ? (
            <button type="button" className="primary" onClick={() => void sign()} disabled={signing || locked} data-testid="safe-sign">
              {signing ? "Waiting for your wallet…" : "Sign with my wallet"}
            </button>
          ) : (
            <p className="hint" data-testid="safe-sign-hint">
              {isOwner ? "You have signed." : "Your connected wallet is not an owner of this Safe, so it cannot sign; it can still collect the owners' signatures and submit."}
            </p>
          )}
          <button type="button" className="secondary" onClick={() => downloadJson(`safe-${request.operation.operation}-${request.safe.slice(2, 10).toLowerCase()}-nonce-${request.nonce}.json`, request)} disabled={locked}>
            Export signing request
          </button>
        </div>
      )}

      {!done && missing > 0 && (
        <fieldset className="panel" disabled={locked}>
          <legend>Add other owners' signatures</legend>
          <p className="hint">
            Send the exported file to the other owners. Each opens it on this dApp's <a href="#/safe">Safe signing page</a>, signs with their wallet and exports it
            again; load or paste what they send back here. The request lives in this page only: export it before you switch accounts
            or leave, and open it again on the Safe signing page.
          </p>
          <RequestFileInput onText={importText} actionLabel="Add signatures" />
        </fieldset>
      )}
      {notice && (
        <div className={`note ${notice.kind}`} role={notice.kind === "error" ? "alert" : undefined} data-testid="safe-notice">
          {notice.lines.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}

      {missing === 0 && (
        <fieldset className="panel" disabled={locked} data-testid="safe-submit-panel">
          <legend>Who sends it</legend>
          <div className="segmented" role="radiogroup" aria-label="Who sends it">
            {(runtime.relay ? (["relay", "wallet"] as const) : (["wallet"] as const)).map((value) => (
              <label key={value} className={via === value ? "selected" : undefined}>
                <input type="radio" name={`${id}-send-via`} value={value} checked={via === value} onChange={() => setVia(value)} />
                {value === "relay" ? "Let the API pay" : "Send from my wallet"}
              </label>
            ))}
          </div>
          <p className="hint">
            {via === "relay"
              ? "The reference API's relayer submits the Safe's signed operation and pays the gas. It can delay or refuse it, never change it."
              : "Your wallet sends the signed operation and pays the gas; the key stays the Safe's."}
          </p>
          {!done && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => void submit()} data-testid="safe-submit">
                {submitter.busy ? "Submitting…" : `Submit with ${safe.threshold} signatures`}
              </button>
              {onDiscard && (
                <button type="button" className="secondary" onClick={onDiscard}>
                  Discard the request
                </button>
              )}
            </div>
          )}
        </fieldset>
      )}
      {missing > 0 && onDiscard && !done && (
        <div className="actions">
          <button type="button" className="secondary" onClick={onDiscard} disabled={locked}>
            Discard the request
          </button>
        </div>
      )}
      <TxStatus state={submitter.state} action={action} confirmed={confirmed} focusOnConfirm />
    </section>
  );
}

function describeOperation(op: RegistryOperation): ReactNode {
  const id = (value: string) => <code className="break">{value}</code>;
  switch (op.operation) {
    case "register":
      return `register “${op.label}” (public key ${op.key.publicKey.slice(0, 12)}…, scopes mask ${op.key.scopes}, valid ${formatDateTime(op.key.notBefore)} to ${formatDateTime(op.key.expiresAt)})`;
    case "rotate":
      return <>rotate {id(op.oldKeyId)} to a new key (public key {op.key.publicKey.slice(0, 12)}…, overlap {op.overlap} s)</>;
    case "revoke":
      return <>revoke {id(op.keyId)}, reason “{op.reason}”</>;
    case "extendOverlap":
      return <>keep {id(op.keyId)} valid until {formatDateTime(op.expiresAt)}</>;
    case "setRotator":
      return isAddressEqual(op.rotator, zeroAddress) ? "remove the rotator" : <>appoint {id(op.rotator)} as rotator</>;
  }
}
