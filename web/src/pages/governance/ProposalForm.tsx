import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type Address, type Hex, isAddress } from "viem";
import { useConnection } from "wagmi";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { algorithms, algorithmToChain } from "../../../../src/keys/algorithms.ts";
import { buildProposal, ownerOfKeyId, type ProposalDraft, type RevokeScope } from "../../chain/buildProposal.ts";
import { formatUtc } from "../../chain/describeProposalAction.ts";
import type { IndexedKey, RegistryIndex, RegistryPolicy } from "../../indexer/index.ts";
import { DurationField } from "../../components/DurationField.tsx";
import { ScopeCheckboxes } from "../../components/ScopeCheckboxes.tsx";
import { Markdown } from "../../components/Markdown.tsx";
import { TextField } from "../../components/TextField.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useTransaction } from "../../components/useTransaction.ts";
import { algorithmLabel } from "../../lib/algorithmLabel.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { formatRelative } from "../../lib/formatRelative.ts";
import { type DurationUnit, toSeconds } from "../../lib/durationUnits.ts";
import { parseKeyId } from "../../lib/parseKeyId.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { validateDuration } from "../../lib/validateDuration.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

type Kind = ProposalDraft["kind"];
const kinds: { kind: Kind; title: string }[] = [
  { kind: "revoke", title: "Revoke a key" },
  { kind: "unsuspend", title: "Lift a suspension" },
  { kind: "extend-suspension", title: "Extend a suspension" },
  { kind: "policy", title: "Change the policy" },
  { kind: "guardian", title: "Appoint or remove a guardian" },
];

const maxUint32 = 4_294_967_295;

const scopes: { scope: RevokeScope; title: string }[] = [
  { scope: "key", title: "This key only" },
  { scope: "lineage", title: "This key and every later version of its lineage" },
  { scope: "owner", title: "Every key of its owner" },
];

/** The key and the later versions the page knows of (asking for each makes the snapshot read it). */
function lineageFrom(registry: RegistryIndex, key: IndexedKey): IndexedKey[] {
  const out = [key];
  for (let next = key.nextKeyId; next && out.length < 1_000; ) {
    const k = registry.keys.get(next);
    if (!k) break;
    out.push(k);
    next = k.nextKeyId;
  }
  return out;
}

/** A proposal for one registry change, with the title written for the reader and the calldata built here. */
export function ProposalForm({ registry, initialKeyId, now: chainNow }: { registry: RegistryIndex; initialKeyId?: Hex | undefined; now?: number | undefined }) {
  const { runtime, client } = useRuntime();
  const now = chainNow ?? Math.floor(Date.now() / 1000);
  const tx = useTransaction();
  const { address: proposer } = useConnection();
  const policy = registry.policy!;
  const [kind, setKind] = useState<Kind>("revoke");
  const [keyIdText, setKeyIdText] = useState<string>(initialKeyId ?? "");
  const [reason, setReason] = useState("");
  const [scope, setScope] = useState<RevokeScope>("key");
  const [extendBy, setExtendBy] = useState<{ value: string; unit: DurationUnit }>({ value: "7", unit: "days" });
  const [guardian, setGuardian] = useState("");
  const [enabled, setEnabled] = useState(true);
  const [rationale, setRationale] = useState("");
  const [maxLifetime, setMaxLifetime] = useState<{ value: string; unit: DurationUnit }>({ value: String(policy.maxLifetime / 86_400), unit: "days" });
  const [maxOverlap, setMaxOverlap] = useState<{ value: string; unit: DurationUnit }>({ value: String(policy.maxOverlap / 86_400), unit: "days" });
  const [maxSuspension, setMaxSuspension] = useState<{ value: string; unit: DurationUnit }>({ value: String(policy.maxSuspension / 86_400), unit: "days" });
  const [maxKeysPerOwner, setMaxKeysPerOwner] = useState(String(policy.maxKeysPerOwner));
  const [allowedAlgorithms, setAllowedAlgorithms] = useState(policy.allowedAlgorithms);
  const [allowedScopes, setAllowedScopes] = useState(policy.allowedScopes);
  const [submitted, setSubmitted] = useState(false);

  const keyId = parseKeyId(keyIdText);
  const key = keyId ? registry.keys.get(keyId) : undefined;
  const lifetimeSeconds = toSeconds(maxLifetime.value, maxLifetime.unit);
  const overlapSeconds = toSeconds(maxOverlap.value, maxOverlap.unit);
  const suspensionSeconds = toSeconds(maxSuspension.value, maxSuspension.unit);
  const keysPerOwner = /^\d+$/.test(maxKeysPerOwner.trim()) ? Number(maxKeysPerOwner.trim()) : Number.NaN;
  const owner = keyId ? ownerOfKeyId(keyId) : undefined;
  // Whether governance revoked the owner already: no event on a key says so, the registry does.
  const ownerRecord = useQuery({
    queryKey: ["keyledger", "owner-record", runtime.addresses.KeyRegistry, owner],
    queryFn: () => client.readContract({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "ownerRecord", args: [owner!] }),
    enabled: kind === "revoke" && scope === "owner" && owner !== undefined,
  });
  const ownerRevoked = ownerRecord.data?.revoked === true;
  const lineage = key ? lineageFrom(registry, key) : [];
  const suspendedNow = key?.state === "suspended" && key.suspendedUntil > now;
  const extendSeconds = toSeconds(extendBy.value, extendBy.unit);
  const newEnd = key && suspendedNow ? key.suspendedUntil + extendSeconds : undefined;
  const params = runtime.governanceParams;
  const earliestExecution = params ? now + params.votingDelay + params.votingPeriod + params.timelockDelay : undefined;

  const problems: Record<string, string | undefined> = {};
  let draft: ProposalDraft | undefined;
  let title = "";
  if (kind === "revoke" || kind === "unsuspend" || kind === "extend-suspension") {
    if (!keyId) problems.keyId = "Enter a key id (0x and 64 hex digits).";
    else if (!key) problems.keyId = "No key with this id is registered.";
    else if (kind === "revoke" && scope === "owner") {
      if (ownerRevoked) problems.keyId = "Its owner is already revoked: every key of theirs is dead and new ones are refused.";
      else if (ownerRecord.isPending) problems.keyId = "Checking on chain whether its owner is already revoked…";
      else if (ownerRecord.isError) problems.keyId = "Could not read the owner's record from the chain; try again.";
    } else if (kind === "revoke" && scope === "lineage") {
      if (lineage.every((k) => k.state === "revoked") && lineage.at(-1)?.nextKeyId === undefined) problems.keyId = "This key and every later version of its lineage are already revoked.";
    } else if (key.state === "revoked") problems.keyId = "This key is already revoked.";
    else if (kind === "unsuspend" && key.state !== "suspended") problems.keyId = "This key is not suspended.";
    else if (kind === "extend-suspension" && !suspendedNow) {
      problems.keyId =
        key.state === "suspended"
          ? `Its suspension lapsed ${formatRelative(key.suspendedUntil, now)}: the key reads active again, and a lapsed suspension cannot be extended.`
          : "This key is not suspended: only a guardian's suspension still in force can be extended.";
    }
    if (kind === "revoke" && reason.trim() === "") problems.reason = "Give a reason: it is recorded on-chain.";
    if (kind === "extend-suspension") {
      const check = validateDuration({ seconds: extendSeconds, max: maxUint32, name: "extension" });
      if (!check.ok) problems.extendBy = check.message;
      else if (newEnd !== undefined && newEnd > maxUint32) problems.extendBy = "The new end would lie past 2106: choose a shorter extension.";
    }
    if (keyId && key) {
      const named = `key ${shortHex(keyId, 6)} (${key.label} v${key.version})`;
      if (kind === "revoke") {
        draft = { kind, keyId, reason: reason.trim(), scope };
        title = scope === "owner" ? `Revoke owner ${shortHex(owner!)} (every key, final)` : scope === "lineage" ? `Revoke ${named} and its later versions` : `Revoke ${named}`;
      } else if (kind === "extend-suspension") {
        if (newEnd !== undefined) {
          draft = { kind, keyId, until: newEnd };
          title = `Extend the suspension of ${named} to ${formatUtc(newEnd)}`;
        }
      } else {
        draft = { kind, keyId };
        title = `Lift the suspension of ${named}`;
      }
    }
  } else if (kind === "guardian") {
    if (!isAddress(guardian.trim())) problems.guardian = "Enter the guardian's address.";
    else {
      draft = { kind, guardian: guardian.trim() as Address, enabled };
      title = `${enabled ? "Appoint" : "Remove"} guardian ${shortHex(guardian.trim())}`;
    }
  } else {
    // The registry's own rule (InvalidPolicy): lifetime above zero, overlap at most the lifetime.
    const lifetimeCheck = validateDuration({ seconds: lifetimeSeconds, max: maxUint32, name: "maximum lifetime" });
    const overlapCheck = validateDuration({ seconds: overlapSeconds, max: maxUint32, name: "maximum overlap", allowZero: true });
    if (!lifetimeCheck.ok) problems.lifetime = lifetimeCheck.message;
    if (!overlapCheck.ok) problems.overlap = overlapCheck.message;
    else if (lifetimeCheck.ok && overlapSeconds > lifetimeSeconds) problems.overlap = "The maximum overlap cannot be longer than the maximum lifetime.";
    if (allowedAlgorithms === 0) problems.algorithms = "Allow at least one algorithm.";
    // Also the registry's rule: a suspension bound above zero and room for at least one key per owner.
    const suspensionCheck = validateDuration({ seconds: suspensionSeconds, max: maxUint32, name: "maximum suspension" });
    if (!suspensionCheck.ok) problems.suspension = suspensionCheck.message;
    if (!Number.isSafeInteger(keysPerOwner) || keysPerOwner < 1 || keysPerOwner > 65_535) problems.keysPerOwner = "Enter a whole number from 1 to 65,535.";
    const next: RegistryPolicy = {
      maxLifetime: lifetimeSeconds,
      maxOverlap: overlapSeconds,
      maxSuspension: suspensionSeconds,
      maxKeysPerOwner: keysPerOwner,
      allowedAlgorithms,
      allowedScopes,
    };
    if (!problems.lifetime && !problems.overlap && !problems.algorithms && !problems.suspension && !problems.keysPerOwner) {
      draft = { kind, policy: next };
      title = "Change the key policy";
    }
  }
  const show = (name: string) => (submitted ? problems[name] : undefined);

  const submit = async () => {
    setSubmitted(true);
    if (!draft || !proposer || Object.values(problems).some(Boolean)) return;
    const built = buildProposal({ registry: runtime.addresses.KeyRegistry, draft, title, rationale, proposer });
    const receipt = await tx.send({
      address: runtime.addresses.KeyLedgerGovernor,
      abi: keyLedgerGovernorAbi,
      functionName: "propose",
      args: [built.targets, built.values, built.calldatas, built.description],
    });
    if (receipt) {
      setSubmitted(false);
      setRationale("");
      setReason("");
    }
  };

  return (
    <section className="card" aria-labelledby="propose-title">
      <h2 id="propose-title">New proposal</h2>
      <form className="form" onSubmit={(event) => { event.preventDefault(); void submit(); }} noValidate>
        <fieldset className="panel" disabled={tx.busy}>
          <legend>What should the DAO do?</legend>
          <div className="segmented wrap" role="radiogroup" aria-label="Proposal type">
            {kinds.map((k) => (
              <label key={k.kind} className={kind === k.kind ? "selected" : undefined}>
                <input type="radio" name="proposal-kind" value={k.kind} checked={kind === k.kind} onChange={() => { setKind(k.kind); setSubmitted(false); }} />
                {k.title}
              </label>
            ))}
          </div>
          {(kind === "revoke" || kind === "unsuspend" || kind === "extend-suspension") && (
            <>
              <TextField
                label="Key id"
                name="proposal-key-id"
                value={keyIdText}
                placeholder="0x…"
                spellCheck={false}
                onChange={(event) => setKeyIdText(event.target.value)}
                hint={key ? `${key.label} v${key.version}, owned by ${shortHex(key.owner)}, ${key.state}.` : undefined}
                error={show("keyId")}
              />
              {kind === "revoke" && (
                <fieldset className="field">
                  <legend>What to revoke</legend>
                  <div className="segmented wrap" role="radiogroup" aria-label="What to revoke">
                    {scopes.map((s) => (
                      <label key={s.scope} className={scope === s.scope ? "selected" : undefined}>
                        <input type="radio" name="revoke-scope" value={s.scope} checked={scope === s.scope} onChange={() => setScope(s.scope)} />
                        {s.title}
                      </label>
                    ))}
                  </div>
                  {scope === "key" && (
                    <p className="hint" data-testid="revoke-scope-hint">
                      Only this version (<code>governanceRevoke</code>).
                      {key?.nextKeyId ? " It was rotated: its later versions stay valid." : " A version the owner rotates to, even during the vote, stays valid."}
                    </p>
                  )}
                  {scope === "lineage" && (
                    <p className="hint" data-testid="revoke-scope-hint">
                      This key and every later version as the lineage stands when the proposal executes (<code>governanceRevokeLineage</code>): rotating during the vote does not escape it; earlier versions are left alone.
                      {lineage.length > 1 && ` Today: ${lineage.map((k) => `v${k.version}${k.state === "revoked" ? " (revoked)" : ""}`).join(", ")}.`}
                    </p>
                  )}
                  {scope === "owner" && (
                    <div className="note warning" role="note" data-testid="revoke-owner-warning">
                      <p>
                        Owner (the key id's first 20 bytes): {owner ? <code data-testid="revoke-owner">{owner}</code> : "enter a key id"}
                        {owner && (
                          <>
                            {" "}
                            (<a href={`#/owner/${owner}`}>their keys</a>)
                          </>
                        )}
                      </p>
                      {ownerRecord.data && (
                        <p data-testid="revoke-owner-record">
                          {ownerRecord.data.revoked
                            ? "This owner is already revoked."
                            : `On chain today: ${ownerRecord.data.unreleasedLineages} unreleased ${ownerRecord.data.unreleasedLineages === 1 ? "lineage" : "lineages"} (live, expired, or revoked and not yet released), not revoked.`}
                        </p>
                      )}
                      <p>
                        <strong>Final.</strong> Every key of this owner is revoked at once, and the registry refuses their new keys and rotations from then on
                        (<code>governanceRevokeOwner</code>). It cannot be undone, not even by another proposal.
                      </p>
                    </div>
                  )}
                </fieldset>
              )}
              {kind === "extend-suspension" && key && suspendedNow && (
                <p className="hint" data-testid="suspension-current-end">
                  Suspended until {formatDateTime(key.suspendedUntil)} ({formatRelative(key.suspendedUntil, now)}): without an extension the key reads active again then.
                </p>
              )}
              {kind === "extend-suspension" && (
                <DurationField
                  label="Extend the suspension by"
                  value={extendBy.value}
                  unit={extendBy.unit}
                  onChange={(value, unit) => setExtendBy({ value, unit })}
                  hint={newEnd !== undefined && !problems.extendBy ? `New end: ${formatDateTime(newEnd)} (${formatUtc(newEnd)}).` : undefined}
                  error={show("extendBy")}
                />
              )}
              {kind === "extend-suspension" && key && suspendedNow && earliestExecution !== undefined && key.suspendedUntil <= earliestExecution && (
                <p className="note warning" role="note" data-testid="suspension-lapses-first">
                  The suspension ends {formatRelative(key.suspendedUntil, now)}, before this proposal can execute ({formatRelative(earliestExecution, now)} at the earliest, after the vote and the timelock):
                  it would then find the key no longer suspended and fail.
                </p>
              )}
              {kind === "revoke" && <TextField label="Reason (public, on-chain)" name="proposal-reason" value={reason} onChange={(event) => setReason(event.target.value)} error={show("reason")} />}
            </>
          )}
          {kind === "guardian" && (
            <>
              <TextField label="Guardian address" value={guardian} placeholder="0x…" spellCheck={false} onChange={(event) => setGuardian(event.target.value)} error={show("guardian")} />
              <div className="segmented" role="radiogroup" aria-label="Appoint or remove">
                {[true, false].map((on) => (
                  <label key={String(on)} className={enabled === on ? "selected" : undefined}>
                    <input type="radio" name="guardian-enabled" checked={enabled === on} onChange={() => setEnabled(on)} />
                    {on ? "Appoint" : "Remove"}
                  </label>
                ))}
              </div>
            </>
          )}
          {kind === "policy" && (
            <>
              <DurationField label="Maximum key lifetime" value={maxLifetime.value} unit={maxLifetime.unit} onChange={(value, unit) => setMaxLifetime({ value, unit })} error={show("lifetime")} />
              <DurationField label="Maximum rotation overlap" value={maxOverlap.value} unit={maxOverlap.unit} onChange={(value, unit) => setMaxOverlap({ value, unit })} error={show("overlap")} />
              <DurationField
                label="Guardian suspension lasts at most"
                value={maxSuspension.value}
                unit={maxSuspension.unit}
                onChange={(value, unit) => setMaxSuspension({ value, unit })}
                error={show("suspension")}
              />
              <TextField
                label="Live keys per owner (at most)"
                name="proposal-max-keys-per-owner"
                inputMode="numeric"
                value={maxKeysPerOwner}
                onChange={(event) => setMaxKeysPerOwner(event.target.value)}
                error={show("keysPerOwner")}
              />
              <fieldset className="field" aria-invalid={show("algorithms") ? true : undefined}>
                <legend>Allowed algorithms</legend>
                <div className="checkbox-row">
                  {algorithms.map((alg) => {
                    const bit = 1 << algorithmToChain(alg);
                    return (
                      <label key={alg} className="checkbox">
                        <input type="checkbox" checked={(allowedAlgorithms & bit) !== 0} onChange={(event) => setAllowedAlgorithms(event.target.checked ? allowedAlgorithms | bit : allowedAlgorithms & ~bit)} />
                        {algorithmLabel(alg)}
                      </label>
                    );
                  })}
                </div>
                {show("algorithms") && <p className="field-error">{show("algorithms")}</p>}
              </fieldset>
              <ScopeCheckboxes legend="Allowed scopes" value={allowedScopes} onChange={setAllowedScopes} allowedScopes={0xff} names={registry.scopeNames} />
            </>
          )}
          <TextField label="Rationale (optional, Markdown)" multiline rows={3} value={rationale} onChange={(event) => setRationale(event.target.value)} hint={title ? `Title: “${title}”` : undefined} />
          {rationale.trim() && (
            <div className="markdown-preview" aria-label="Rationale preview" role="region">
              <p className="hint">Preview (rendered as voters will see it; raw HTML, images and scripts are dropped)</p>
              <Markdown className="rationale" source={rationale} />
            </div>
          )}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={tx.busy} data-testid="propose-submit">
            Submit proposal
          </button>
        </div>
        <TxStatus state={tx.state} action="Submit proposal" />
      </form>
    </section>
  );
}
