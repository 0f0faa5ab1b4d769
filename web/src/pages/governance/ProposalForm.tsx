import { useState } from "react";
import { type Address, type Hex, isAddress } from "viem";
import { useConnection } from "wagmi";
import { keyLedgerGovernorAbi } from "../../../../src/generated/abis.ts";
import { algorithms, algorithmToChain } from "../../../../src/keys/algorithms.ts";
import { buildProposal, type ProposalDraft } from "../../chain/buildProposal.ts";
import type { RegistryIndex, RegistryPolicy } from "../../indexer/index.ts";
import { DurationField } from "../../components/DurationField.tsx";
import { ScopeCheckboxes } from "../../components/ScopeCheckboxes.tsx";
import { Markdown } from "../../components/Markdown.tsx";
import { TextField } from "../../components/TextField.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useTransaction } from "../../components/useTransaction.ts";
import { algorithmLabel } from "../../lib/algorithmLabel.ts";
import { type DurationUnit, toSeconds } from "../../lib/durationUnits.ts";
import { parseKeyId } from "../../lib/parseKeyId.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { validateDuration } from "../../lib/validateDuration.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

type Kind = ProposalDraft["kind"];
const kinds: { kind: Kind; title: string }[] = [
  { kind: "revoke", title: "Revoke a key" },
  { kind: "unsuspend", title: "Lift a suspension" },
  { kind: "policy", title: "Change the policy" },
  { kind: "guardian", title: "Appoint or remove a guardian" },
];

const maxUint32 = 4_294_967_295;

/** A proposal for one registry change, with the title written for the reader and the calldata built here. */
export function ProposalForm({ registry, initialKeyId }: { registry: RegistryIndex; initialKeyId?: Hex | undefined }) {
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const { address: proposer } = useConnection();
  const policy = registry.policy!;
  const [kind, setKind] = useState<Kind>("revoke");
  const [keyIdText, setKeyIdText] = useState<string>(initialKeyId ?? "");
  const [reason, setReason] = useState("");
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

  const problems: Record<string, string | undefined> = {};
  let draft: ProposalDraft | undefined;
  let title = "";
  if (kind === "revoke" || kind === "unsuspend") {
    if (!keyId) problems.keyId = "Enter a key id (0x and 64 hex digits).";
    else if (!key) problems.keyId = "No key with this id is registered.";
    else if (key.state === "revoked") problems.keyId = "This key is already revoked.";
    else if (kind === "unsuspend" && key.state !== "suspended") problems.keyId = "This key is not suspended.";
    if (kind === "revoke" && reason.trim() === "") problems.reason = "Give a reason: it is recorded on-chain.";
    if (keyId && key) {
      draft = kind === "revoke" ? { kind, keyId, reason: reason.trim() } : { kind, keyId };
      title = kind === "revoke" ? `Revoke key ${shortHex(keyId, 6)} (${key.label} v${key.version})` : `Lift the suspension of key ${shortHex(keyId, 6)} (${key.label} v${key.version})`;
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
          {(kind === "revoke" || kind === "unsuspend") && (
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
