import { useState } from "react";
import type { Hex } from "viem";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { DurationField } from "../../components/DurationField.tsx";
import { SendViaChoice, useSendVia } from "../../components/SendViaChoice.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useTransaction } from "../../components/useTransaction.ts";
import type { IndexedKey, RegistryIndex, RegistryPolicy } from "../../indexer/index.ts";
import { type DurationUnit, toSeconds } from "../../lib/durationUnits.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { formatRelative } from "../../lib/formatRelative.ts";
import { validateDuration } from "../../lib/validateDuration.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { SafeRequestPanel } from "../../components/safe/SafeRequestPanel.tsx";
import type { useSafeOperation } from "../../components/safe/useSafeOperation.ts";

/**
 * Extend a rotated-out version's overlap (roll back a rotation's cut-off) within the DAO's
 * bounds, from the wallet or signed for the API's relayer. `initial` preselects a version
 * (My keys' "Extend" action opens `#/rotate/<keyId>`). With "Owner: a Safe" (`safeOp`) the call
 * becomes a Safe signing request instead.
 */
export function ExtendOverlap({ keys, registry, policy, now, initial, safeOp }: { keys: IndexedKey[]; registry: RegistryIndex; policy: RegistryPolicy; now: number; initial: Hex | undefined; safeOp?: ReturnType<typeof useSafeOperation> | undefined }) {
  const { runtime } = useRuntime();
  const tx = useTransaction();
  // extendOverlap has a signed form (extendOverlapFor), like rotate: the relayer may send it.
  const { via, setVia, offered } = useSendVia();
  // Preselected when the page was opened for this version (My keys' "Extend" action).
  const [keyId, setKeyId] = useState<Hex>(keys.find((k) => k.keyId === initial)?.keyId ?? keys[0]!.keyId);
  const key = keys.find((k) => k.keyId === keyId) ?? keys[0]!;
  // Default: one day beyond the current end, the usual "clients need a bit longer".
  const suggest = (k: IndexedKey) => ({ value: String(Math.max(1, Math.ceil((k.expiresAt - now) / 86_400) + 1)), unit: "days" as DurationUnit });
  const [extra, setExtra] = useState<{ value: string; unit: DurationUnit }>(() => suggest(key));
  const seconds = toSeconds(extra.value, extra.unit);
  // The contract bounds the new expiry by now + maxOverlap, the key's maximum lifetime and
  // the expiry it had before the rotation (ExtensionPastOriginalExpiry).
  const limit = Math.min(now + policy.maxOverlap, key.notBefore + policy.maxLifetime, key.originalExpiresAt ?? Number.MAX_SAFE_INTEGER);
  const check = validateDuration({ seconds, max: Math.max(0, limit - now), name: "extension" });
  const target = now + (check.ok ? seconds : 0);
  const problem = !check.ok ? check.message : target <= key.expiresAt ? `The key already runs until ${formatDateTime(key.expiresAt)}; choose a later end.` : undefined;

  return (
    <section className="card" aria-labelledby="extend-title">
      <h2 id="extend-title">Extend an overlap (roll back)</h2>
      <p>When clients were slow to switch, keep a rotated-out version valid longer, within the DAO's bounds.</p>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (problem) return;
          const call = { functionName: "extendOverlap", args: [key.keyId, target] };
          if (safeOp?.isSafe) void safeOp.prepare(async () => call, registry.scopeNames);
          else void tx.send({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, ...call }, { scopeNames: registry.scopeNames, via });
        }}
        noValidate
      >
        <fieldset className="panel" disabled={tx.busy || Boolean(safeOp?.request)}>
          <legend>Rotated-out version</legend>
          <div className="field">
            <label htmlFor="extend-key">Version</label>
            <select
              id="extend-key"
              value={key.keyId}
              onChange={(event) => {
                const next = keys.find((k) => k.keyId === event.target.value) ?? keys[0]!;
                setKeyId(next.keyId);
                setExtra(suggest(next));
              }}
            >
              {keys.map((k) => (
                <option key={k.keyId} value={k.keyId}>
                  {k.label} v{k.version} (ends {formatRelative(k.expiresAt, now)})
                </option>
              ))}
            </select>
          </div>
          <DurationField
            label="Keep valid for, from now"
            value={extra.value}
            unit={extra.unit}
            onChange={(value, unit) => setExtra({ value, unit })}
            hint={`New end: ${formatDateTime(target)}. Latest possible: ${formatDateTime(limit)}.`}
            error={problem}
          />
        </fieldset>
        {!safeOp?.isSafe && <SendViaChoice via={via} onChange={setVia} offered={offered} disabled={tx.busy} name="send-via-extend" />}
        {!safeOp?.request && (
          <div className="actions">
            <button type="submit" className="secondary" disabled={tx.busy || safeOp?.preparing || Boolean(problem)}>
              {safeOp?.isSafe ? "Prepare the Safe's signing request" : "Extend overlap"}
            </button>
          </div>
        )}
        {safeOp && <SafeRequestPanel safeOp={safeOp} action={`Extend ${key.label} v${key.version}`} scopeNames={registry.scopeNames} />}
        <TxStatus state={tx.state} action={`Extend ${key.label} v${key.version}`} />
      </form>
    </section>
  );
}
