import { useState } from "react";
import type { Address, Hex } from "viem";
import { useConnection } from "wagmi";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { keyStatusAt } from "../chain/keyStatusAt.ts";
import { lineages } from "../chain/lineages.ts";
import { groupLineages, type IndexedKey, type RegistryIndex, type RegistryPolicy, useOwnerKeys } from "../indexer/index.ts";
import { OwnerChoice } from "../components/safe/OwnerChoice.tsx";
import { SafeRequestPanel } from "../components/safe/SafeRequestPanel.tsx";
import { useSafeOperation } from "../components/safe/useSafeOperation.ts";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { DurationField } from "../components/DurationField.tsx";
import { KeyIdLink } from "../components/KeyIdLink.tsx";
import { KeyTimeline } from "../components/KeyTimeline.tsx";
import { initialNewKey, newKeyProblem, type NewKeyValue, prepareChainKey } from "../components/newKey.ts";
import { NewKeyPanel } from "../components/NewKeyPanel.tsx";
import { ReviewDialog } from "../components/ReviewDialog.tsx";
import { useReviewCheck } from "../components/useReviewCheck.ts";
import { scopeNames } from "../lib/scopeNames.ts";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { ScopeCheckboxes } from "../components/ScopeCheckboxes.tsx";
import { SendViaChoice, sendViaRow, useSendVia } from "../components/SendViaChoice.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { useTransaction } from "../components/useTransaction.ts";
import { type DurationUnit, toSeconds } from "../lib/durationUnits.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { formatRelative } from "../lib/formatRelative.ts";
import { validateDuration } from "../lib/validateDuration.ts";
import { validateScopes } from "../lib/validateScopes.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { HeldKeyNote } from "../components/tryIt/HeldKeyNote.tsx";
import { ExtendOverlap } from "./rotate/ExtendOverlap.tsx";
import { holdKey } from "../lib/heldKeys.ts";

export default function RotatePage({ param }: { param?: string | undefined }) {
  return (
    <section aria-labelledby="rotate-title">
      <h1 id="rotate-title">Rotate a key</h1>
      <p className="lead">
        Rotation makes a new key the next version of a label in one transaction, and cuts the old key's expiry to the
        overlap: both work until the overlap ends, so clients can switch without downtime.
      </p>
      <RequireWallet action="rotate your keys">
        <Rotate initial={param as Hex | undefined} />
      </RequireWallet>
    </section>
  );
}

function Rotate({ initial }: { initial: Hex | undefined }) {
  const { address } = useConnection();
  const snapshot = useChainSnapshot();
  // "Owner: a Safe": the Safe's keys, rotated and extended by its owners' signatures (issue 12).
  const safeOp = useSafeOperation();
  const extendOp = useSafeOperation({ choice: safeOp.choice });
  const safeKeys = useOwnerKeys(safeOp.choice.safe?.safe);
  if (!snapshot.data?.registry.policy || !address) return <p aria-busy="true">Reading the registry…</p>;
  const { registry, head } = snapshot.data;
  const ownerChoice = <OwnerChoice choice={safeOp.choice} disabled={Boolean(safeOp.request || extendOp.request)} />;
  const owner = safeOp.owner;
  if (safeOp.isSafe && (!owner || !safeKeys.data)) {
    return (
      <>
        {ownerChoice}
        {owner && <p aria-busy="true">Reading the Safe's keys…</p>}
      </>
    );
  }
  const mine = safeOp.isSafe ? groupLineages(safeKeys.data ?? [], owner) : lineages(registry, address);
  const now = head.timestamp;
  const rotatable = mine.flatMap((l) => l.versions).filter((k) => !k.rotated && keyStatusAt(k, now).status === "active");
  // Only the head's immediate predecessor can be extended (registry v2: KeySuperseded otherwise).
  const rotatedOut = mine.flatMap((l) => l.versions).filter((k) => k.rotated && !k.superseded && k.state === "active");
  return (
    <>
      {ownerChoice}
      {rotatable.length === 0 && !safeOp.request ? (
        <div className="empty">
          <p>No key of {safeOp.isSafe ? "this Safe" : "this account"} can be rotated: only the newest, active version of a lineage can.</p>
          <a className="button primary" href="#/register">Register a key</a>
        </div>
      ) : (
        <RotateForm key={owner} keys={rotatable} registry={registry} policy={registry.policy!} now={now} initial={initial} owner={owner ?? address} safeOp={safeOp} />
      )}
      {rotatedOut.length > 0 && <ExtendOverlap key={`extend-${owner}`} keys={rotatedOut} registry={registry} policy={registry.policy!} now={now} initial={initial} safeOp={extendOp} />}
    </>
  );
}

type SafeOp = ReturnType<typeof useSafeOperation>;

function RotateForm({ keys, registry, policy, now, initial, owner, safeOp }: { keys: IndexedKey[]; registry: RegistryIndex; policy: RegistryPolicy; now: number; initial: Hex | undefined; owner: Address; safeOp: SafeOp }) {
  const { runtime } = useRuntime();
  const address = owner;
  const [safeDone, setSafeDone] = useState(false);
  const tx = useTransaction();
  const [oldKeyId, setOldKeyId] = useState<Hex>(keys.find((k) => k.keyId === initial)?.keyId ?? keys[0]!.keyId);
  const old = keys.find((k) => k.keyId === oldKeyId) ?? keys[0]!;
  const [scopes, setScopes] = useState(old.scopes);
  const [overlap, setOverlap] = useState<{ value: string; unit: DurationUnit }>({
    value: String(Math.min(7, Math.floor(policy.maxOverlap / 86_400)) || 1),
    unit: policy.maxOverlap >= 86_400 ? "days" : "hours",
  });
  const [lifetime, setLifetime] = useState<{ value: string; unit: DurationUnit }>({ value: "90", unit: "days" });
  const [newKey, setNewKey] = useState<NewKeyValue>(initialNewKey);
  const [submitted, setSubmitted] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const { check, start: startCheck } = useReviewCheck();
  const { via, setVia, offered } = useSendVia();
  const [rotated, setRotated] = useState<{ oldKeyId: Hex; newKeyId: Hex } | null>(null);
  const rotatedLabel = rotated ? (registry.keys.get(rotated.oldKeyId)?.label ?? "") : "";

  const overlapSeconds = toSeconds(overlap.value, overlap.unit);
  const lifetimeSeconds = toSeconds(lifetime.value, lifetime.unit);
  const overlapCheck = validateDuration({ seconds: overlapSeconds, max: policy.maxOverlap, name: "overlap", allowZero: true });
  const lifetimeCheck = validateDuration({ seconds: lifetimeSeconds, max: policy.maxLifetime, name: "lifetime" });
  const scopeCheck = validateScopes({ scopes, allowedScopes: policy.allowedScopes, names: registry.scopeNames });
  const keyProblem = newKeyProblem(newKey, policy.allowedAlgorithms);
  const ready = overlapCheck.ok && lifetimeCheck.ok && scopeCheck.ok && !keyProblem;
  const oldEnds = Math.min(old.expiresAt, now + (overlapCheck.ok ? overlapSeconds : 0));
  const done = tx.state.status === "confirmed";
  // While the Safe's owners sign, the rotation is fixed: a change would need new signatures.
  const frozen = tx.busy || Boolean(safeOp.request);
  const show = (check: { ok: boolean; message?: string }) => (submitted && !check.ok ? check.message : undefined);

  const sendOptions = {
      scopeNames: registry.scopeNames,
      via,
      prepare: async () => {
        if (!address) throw Object.assign(new Error("Not connected."), { name: "ConnectorNotConnectedError" });
        const key = await prepareChainKey({
          value: newKey,
          chainId: runtime.chainId,
          registry: runtime.addresses.KeyRegistry,
          owner: address,
          scopes,
          chainNow: now,
          lifetimeSeconds,
        });
        return { address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "rotate", args: [old.keyId, key, overlapSeconds] };
      },
    };
  const review = () => {
    setSubmitted(true);
    if (!ready || !address || !newKey.key) return;
    if (safeOp.isSafe) return void safeOp.prepare(sendOptions.prepare, registry.scopeNames);
    setReviewing(true);
    // Simulated while the review is open: a refusal (a duplicate key, a policy violation) shows here, decoded, before the wallet is asked.
    startCheck(() => tx.simulate(null, sendOptions));
  };
  const submit = async () => {
    setReviewing(false);
    if (!ready || !address) return;
    const receipt = await tx.send(null, sendOptions);
    if (receipt && newKey.key) {
      setRotated({ oldKeyId: old.keyId, newKeyId: newKey.key.keyId });
      // As after a registration: kept in the tab's memory for Try it, until forgotten or reloaded.
      holdKey(newKey.key);
      setNewKey({ ...newKey, key: { ...newKey.key, privateKey: undefined } });
    }
  };

  if (done) {
    return (
      <div className="form">
        <TxStatus state={tx.state} action={`Rotate ${rotatedLabel}`} confirmed={
            rotated && (
              <>
                <RotationResult {...rotated} registry={registry} now={now} />
                <HeldKeyNote keyId={rotated.newKeyId} />
              </>
            )
          }
        />
        <div className="actions">
          <button type="button" className="secondary" onClick={() => { tx.reset(); setNewKey(initialNewKey); setSubmitted(false); setRotated(null); }}>
            Rotate another key
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="form" onSubmit={(event) => { event.preventDefault(); review(); }} noValidate>
      <fieldset className="panel" disabled={frozen}>
        <legend>Key to rotate</legend>
        <div className="field">
          <label htmlFor="old-key">Current version</label>
          <select
            id="old-key"
            value={old.keyId}
            onChange={(event) => {
              const next = keys.find((k) => k.keyId === event.target.value)!;
              setOldKeyId(next.keyId);
              setScopes(next.scopes);
            }}
          >
            {keys.map((k) => (
              <option key={k.keyId} value={k.keyId}>
                {k.label} v{k.version} ({k.keyId.slice(0, 10)}…, ends {formatRelative(k.expiresAt, now)})
              </option>
            ))}
          </select>
        </div>
        <DurationField
          label="Overlap"
          value={overlap.value}
          unit={overlap.unit}
          onChange={(value, unit) => setOverlap({ value, unit })}
          hint={`v${old.version} stays valid until ${formatDateTime(oldEnds)}, then only v${old.version + 1} works. At most ${formatDuration(policy.maxOverlap)}.`}
          error={show(overlapCheck)}
        />
        <ScopeCheckboxes legend={`Scopes of v${old.version + 1}`} value={scopes} onChange={setScopes} allowedScopes={policy.allowedScopes} names={registry.scopeNames} error={show(scopeCheck)} />
        <DurationField
          label={`Lifetime of v${old.version + 1}`}
          value={lifetime.value}
          unit={lifetime.unit}
          onChange={(value, unit) => setLifetime({ value, unit })}
          hint={`At most ${formatDuration(policy.maxLifetime)}.`}
          error={show(lifetimeCheck)}
        />
      </fieldset>
      <NewKeyPanel
        value={newKey}
        onChange={setNewKey}
        label={old.label}
        allowedAlgorithms={policy.allowedAlgorithms}
        chainId={runtime.chainId}
        registry={runtime.addresses.KeyRegistry}
        owner={address!}
        disabled={frozen}
      />
      {!safeOp.isSafe && <SendViaChoice via={via} onChange={setVia} offered={offered} disabled={tx.busy} />}
      {submitted && keyProblem && !done && !safeDone && <p className="field-error">{keyProblem}</p>}
      {!safeOp.request && (
        <div className="actions">
          <button type="submit" className="primary" disabled={tx.busy || safeOp.preparing}>
            {safeOp.isSafe ? (safeOp.preparing ? "Preparing…" : "Prepare the Safe's signing request") : tx.busy ? "Rotating…" : `Rotate to v${old.version + 1}`}
          </button>
        </div>
      )}
      <SafeRequestPanel
        safeOp={safeOp}
        action={`Rotate ${old.label}`}
        scopeNames={registry.scopeNames}
        done={safeDone}
        onConfirmed={() => {
          setSafeDone(true);
          if (newKey.key) {
            setRotated({ oldKeyId: old.keyId, newKeyId: newKey.key.keyId });
            holdKey(newKey.key);
            setNewKey({ ...newKey, key: { ...newKey.key, privateKey: undefined } });
          }
        }}
        confirmed={rotated && <RotationResult {...rotated} registry={registry} now={now} />}
      />
      {safeDone && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => { safeOp.discard(); setSafeDone(false); setNewKey(initialNewKey); setSubmitted(false); setRotated(null); }}>
            Rotate another key
          </button>
        </div>
      )}
      {newKey.key && (
        <ReviewDialog
          id="review-rotate"
          open={reviewing}
          check={check}
          title={`Review the rotation of “${old.label}”`}
          rows={[
            [`Replaces v${old.version}`, <code key="old">{old.keyId}</code>],
            [`v${old.version} stays valid until`, `${formatDateTime(oldEnds)} (${formatRelative(oldEnds, now)})`],
            [`New v${old.version + 1}`, <code key="new">{newKey.key.keyId}</code>],
            ["Algorithm", algorithmLabel(newKey.key.alg)],
            ["Scopes", scopeNames(scopes, registry.scopeNames).join(", ") || "none"],
            ["Lifetime", formatDuration(lifetimeSeconds)],
            ...(offered ? [sendViaRow(via)] : []),
          ]}
          confirmLabel={`Confirm rotation to v${old.version + 1}`}
          onConfirm={() => void submit()}
          onCancel={() => setReviewing(false)}
        />
      )}
      <TxStatus state={tx.state} action={`Rotate ${old.label}`} />
    </form>
  );
}

function RotationResult({ oldKeyId, newKeyId, registry, now }: { oldKeyId: Hex; newKeyId: Hex; registry: RegistryIndex; now: number }) {
  const old = registry.keys.get(oldKeyId);
  const next = registry.keys.get(newKeyId);
  if (!old || !next) return <p>Waiting for the registry to show the rotation…</p>;
  return (
    <div>
      <p>
        Both versions are valid until {formatDateTime(old.expiresAt)} ({formatRelative(old.expiresAt, now)}): v{old.version} <KeyIdLink keyId={old.keyId} /> and
        v{next.version} <KeyIdLink keyId={next.keyId} />. Move your clients to v{next.version} before then.
      </p>
      <KeyTimeline versions={[old, next]} now={now} />
    </div>
  );
}
