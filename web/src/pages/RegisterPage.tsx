import { useEffect, useState } from "react";
import { type Address, type Hex, isAddressEqual } from "viem";
import { useConnection } from "wagmi";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { algorithmFromChain } from "../../../src/keys/algorithms.ts";
import { bindKeyId } from "../../../src/keys/computeKeyId.ts";
import { OwnerChoice } from "../components/safe/OwnerChoice.tsx";
import { SafeRequestPanel } from "../components/safe/SafeRequestPanel.tsx";
import { useSafeOperation } from "../components/safe/useSafeOperation.ts";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { DurationField } from "../components/DurationField.tsx";
import { KeyIdLink } from "../components/KeyIdLink.tsx";
import { initialNewKey, newKeyProblem, type NewKeyValue, prepareChainKey } from "../components/newKey.ts";
import { NewKeyPanel } from "../components/NewKeyPanel.tsx";
import { ReleaseLineages } from "../components/ReleaseLineages.tsx";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { ReviewDialog } from "../components/ReviewDialog.tsx";
import { useReviewCheck } from "../components/useReviewCheck.ts";
import { ScopeCheckboxes } from "../components/ScopeCheckboxes.tsx";
import { SendViaChoice, sendViaRow, useSendVia } from "../components/SendViaChoice.tsx";
import { TextField } from "../components/TextField.tsx";
import { HeldKeyNote } from "../components/tryIt/HeldKeyNote.tsx";
import { holdKey } from "../lib/heldKeys.ts";
import { TxStatus } from "../components/TxStatus.tsx";
import { useTransaction } from "../components/useTransaction.ts";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { type DurationUnit, toSeconds } from "../lib/durationUnits.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { scopeNames } from "../lib/scopeNames.ts";
import { validateDuration } from "../lib/validateDuration.ts";
import { maxLabelBytes, validateLabel } from "../lib/validateLabel.ts";
import { validateScopes } from "../lib/validateScopes.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

export default function RegisterPage() {
  return (
    <section aria-labelledby="register-title">
      <h1 id="register-title">Register a key</h1>
      <p className="lead">
        A new key starts a lineage (version 1) owned by your account. The key proves it is yours with a signature over
        this chain, the registry and your address, so nobody can register someone else's public key.
      </p>
      <RequireWallet action="register a key">
        <RegisterForm />
      </RequireWallet>
    </section>
  );
}

function RegisterForm() {
  const { runtime } = useRuntime();
  const { address } = useConnection();
  const snapshot = useChainSnapshot();
  const tx = useTransaction();
  const [label, setLabel] = useState("");
  const [scopes, setScopes] = useState(1);
  const [lifetime, setLifetime] = useState<{ value: string; unit: DurationUnit }>({ value: "90", unit: "days" });
  const [newKey, setNewKey] = useState<NewKeyValue>(initialNewKey);
  const [submitted, setSubmitted] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const { check, start: startCheck } = useReviewCheck();
  const { via, setVia, offered } = useSendVia();
  // "Owner: a Safe": the key is bound to the Safe and its owners sign (issue 12).
  const safeOp = useSafeOperation();
  const [safeDone, setSafeDone] = useState(false);
  const owner = safeOp.owner ?? address;
  // Key ids are namespaced per owner: a key made before the owner changed is bound again (and must be saved again).
  useEffect(() => {
    if (!owner || !newKey.key) return;
    const bound = bindKeyId({ key: newKey.key, owner });
    if (bound.keyId !== newKey.key.keyId) setNewKey({ ...newKey, key: bound, saved: newKey.source === "generate" ? false : newKey.saved });
  }, [owner, newKey]);

  const registry = snapshot.data?.registry;
  const policy = registry?.policy;
  if (!snapshot.data || !registry || !policy || !address) return <p aria-busy="true">Reading the DAO's policy…</p>;
  const now = snapshot.data.head.timestamp;

  const labelCheck = validateLabel(label);
  const scopeCheck = validateScopes({ scopes, allowedScopes: policy.allowedScopes, names: registry.scopeNames });
  const lifetimeSeconds = toSeconds(lifetime.value, lifetime.unit);
  const lifetimeCheck = validateDuration({ seconds: lifetimeSeconds, max: policy.maxLifetime, name: "lifetime" });
  const keyProblem = newKeyProblem(newKey, policy.allowedAlgorithms);
  const done = tx.state.status === "confirmed" || safeDone;
  // While a Safe's request is being signed the operation is fixed: changing it would need new signatures.
  const frozen = tx.busy || done || Boolean(safeOp.request);
  const ready = labelCheck.ok && scopeCheck.ok && lifetimeCheck.ok && !keyProblem;
  // A generated key's file already carries the label; an imported key's label is the form's to choose.
  const labelFixed = newKey.source === "generate" && Boolean(newKey.key);
  const show = (check: { ok: boolean; message?: string }) => (submitted && !check.ok ? check.message : undefined);

  const sendOptions = {
      scopeNames: registry.scopeNames,
      via,
      prepare: async () => {
        const key = await prepareChainKey({
          value: newKey,
          chainId: runtime.chainId,
          registry: runtime.addresses.KeyRegistry,
          owner: owner ?? address,
          scopes,
          chainNow: now,
          lifetimeSeconds,
        });
        return { address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "register", args: [key, label] };
      },
    };
  const review = () => {
    setSubmitted(true);
    if (!ready || !newKey.key) return;
    // A Safe's registration is not sent from here: its owners sign a request first.
    if (safeOp.isSafe) return void safeOp.prepare(sendOptions.prepare, registry.scopeNames);
    setReviewing(true);
    // Simulated while the review is open: a duplicate key or a policy violation shows here,
    // decoded, before the wallet is asked.
    startCheck(() => tx.simulate(null, sendOptions));
  };
  const submit = async () => {
    setReviewing(false);
    if (!ready || !newKey.key) return;
    const receipt = await tx.send(null, sendOptions);
    // Registered: the form lets go of the private key; the saved file is the only lasting copy.
    // The tab's memory keeps it for Try it (never stored; the confirmation offers to forget it).
    if (receipt && newKey.key) {
      holdKey({ ...newKey.key, label });
      setNewKey({ ...newKey, key: { ...newKey.key, privateKey: undefined } });
    }
  };

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        review();
      }}
      noValidate
    >
      <aside className="policy" aria-label="DAO policy">
        <h2>DAO policy</h2>
        <dl>
          <dt>Maximum lifetime</dt>
          <dd>{formatDuration(policy.maxLifetime)}</dd>
          <dt>Maximum rotation overlap</dt>
          <dd>{formatDuration(policy.maxOverlap)}</dd>
          <dt>Algorithms</dt>
          <dd>
            {[1, 2, 3]
              .filter((id) => policy.allowedAlgorithms & (1 << id))
              .map((id) => algorithmLabel(algorithmFromChain(id)))
              .join(", ")}
          </dd>
          <dt>Scopes</dt>
          <dd>{scopeNames(policy.allowedScopes, registry.scopeNames).join(", ")}</dd>
        </dl>
      </aside>
      <OwnerChoice choice={safeOp.choice} disabled={frozen} />
      <fieldset className="panel" disabled={frozen}>
        <legend>Key details</legend>
        <TextField
          label="Label"
          name="label"
          value={label}
          autoComplete="off"
          onChange={(event) => setLabel(event.target.value)}
          readOnly={labelFixed}
          aria-readonly={labelFixed || undefined}
          className={labelFixed ? "read-only" : undefined}
          hint={
            labelFixed
              ? "Fixed: it is written in the generated key file. “Discard and start over” to change it."
              : `The client or app this key is for${newKey.source === "import" ? " (taken from the key file; you can change it)" : ""}. ${labelCheck.bytes}/${maxLabelBytes} bytes.`
          }
          error={show(labelCheck)}
        />
        <ScopeCheckboxes value={scopes} onChange={setScopes} allowedScopes={policy.allowedScopes} names={registry.scopeNames} error={show(scopeCheck)} />
        <DurationField
          label="Lifetime"
          value={lifetime.value}
          unit={lifetime.unit}
          onChange={(value, unit) => setLifetime({ value, unit })}
          hint={
            lifetimeCheck.ok
              ? `Valid from now until about ${formatDateTime(now + lifetimeSeconds)} (at most ${formatDuration(policy.maxLifetime)}).`
              : `At most ${formatDuration(policy.maxLifetime)}.`
          }
          error={show(lifetimeCheck)}
        />
      </fieldset>
      <NewKeyPanel
        value={newKey}
        onChange={setNewKey}
        label={label}
        onLabel={setLabel}
        allowedAlgorithms={policy.allowedAlgorithms}
        chainId={runtime.chainId}
        registry={runtime.addresses.KeyRegistry}
        owner={owner ?? address}
        disabled={frozen || (safeOp.isSafe && !safeOp.choice.safe)}
      />
      {!safeOp.isSafe && <SendViaChoice via={via} onChange={setVia} offered={offered} disabled={tx.busy || done} />}
      {submitted && keyProblem && !done && <p className="field-error">{keyProblem}</p>}
      <div className="actions">
        {safeOp.request ? null : !done ? (
          <button type="submit" className="primary" disabled={tx.busy || safeOp.preparing} data-testid="register-submit">
            {safeOp.isSafe ? (safeOp.preparing ? "Preparing…" : "Prepare the Safe's signing request") : tx.busy ? "Registering…" : "Register key"}
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              tx.reset();
              setNewKey(initialNewKey);
              setLabel("");
              setSubmitted(false);
              setSafeDone(false);
              safeOp.discard();
            }}
          >
            Register another key
          </button>
        )}
      </div>
      {newKey.key && (
        <ReviewDialog
          id="review-register"
          open={reviewing}
          check={check}
          title="Review the registration"
          rows={[
            ["Label", `“${label}”`],
            ["Owner", <code key="owner">{owner ?? address}</code>],
            ["Key id", <code key="id">{newKey.key.keyId}</code>],
            ["Algorithm", algorithmLabel(newKey.key.alg)],
            ["Scopes", scopeNames(scopes, registry.scopeNames).join(", ") || "none"],
            ["Valid", `from now until about ${formatDateTime(now + lifetimeSeconds)} (${formatDuration(lifetimeSeconds)})`],
            ["Proof of possession", newKey.key.privateKey ? "signed in this page with the private key when you confirm" : "the pasted proof"],
            ...(offered ? [sendViaRow(via)] : []),
          ]}
          note="A registered key id can never be registered again, even after revocation."
          confirmLabel="Confirm and register"
          onConfirm={() => void submit()}
          onCancel={() => setReviewing(false)}
        />
      )}
      <SafeRequestPanel
        safeOp={safeOp}
        action="Register key"
        scopeNames={registry.scopeNames}
        done={safeDone}
        onConfirmed={() => {
          setSafeDone(true);
          if (newKey.key) {
            holdKey({ ...newKey.key, label });
            setNewKey({ ...newKey, key: { ...newKey.key, privateKey: undefined } });
          }
        }}
        confirmed={newKey.key && <Registered keyId={newKey.key.keyId} label={label} imported={newKey.source === "import"} owner={owner ?? address} />}
      />
      {(tooManyKeys(check?.status === "refused" ? check.error.code : undefined) || tooManyKeys(tx.state.status === "failed" ? tx.state.error.code : undefined) || tooManyKeys(safeOp.error?.code)) && (
        <ReleaseLineages
          // releaseKeys is permissionless: the wallet may free a Safe's revoked lineages too.
          owner={owner ?? address}
          onReleased={() => {
            // The cap has room again: clear the refusal, so "Register key" checks afresh.
            tx.reset();
            setReviewing(false);
          }}
        />
      )}
      <TxStatus
        state={tx.state}
        action="Register key"
        focusOnConfirm
        confirmed={newKey.key && <Registered keyId={newKey.key.keyId} label={label} imported={newKey.source === "import"} owner={address} />}
      />
    </form>
  );
}

/** What a confirmed registration says: the key, and for an imported key file the id to record in it. */
function Registered({ keyId, label, imported, owner }: { keyId: Hex; label: string; imported: boolean; owner: Address }) {
  const { address } = useConnection();
  const mine = address !== undefined && isAddressEqual(owner, address);
  return (
    <>
      <p>
        Key <KeyIdLink keyId={keyId} /> is registered as version 1 of “{label}”{mine ? "" : <> for <code>{owner}</code></>}.{" "}
        <a href={mine ? "#/keys" : `#/owner/${owner}`}>{mine ? "See my keys" : "See the owner's keys"}</a>.
      </p>
      <HeldKeyNote keyId={keyId} />
      {imported && (
        <p className="hint" data-testid="record-key-id">
          Key ids are namespaced per owner, so requests must carry this id. A key file written before registration still
          carries its owner-free id: record the new one with{" "}
          <code className="break">
            keyledger keyid {"<key file>"} --owner {owner} --write
          </code>{" "}
          (an encrypted file stays encrypted), or load the file as it is in “Try it”.
        </p>
      )}
    </>
  );
}

/** The registry refused for the per-owner cap (`TooManyKeys`): releasing revoked lineages may make room. */
function tooManyKeys(code: string | undefined): boolean {
  return code === "TooManyKeys";
}
