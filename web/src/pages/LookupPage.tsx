import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Hex } from "viem";
import { useConnection } from "wagmi";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { keyStatusAt } from "../chain/keyStatusAt.ts";
import { type RegistryIndex, useIndexerHealth, useKeyLineage, useProposalLinks, useRegistryFacts } from "../indexer/index.ts";
import { useKeyAlerts } from "../chain/useKeyAlerts.ts";
import { KeyAlerts } from "../components/KeyAlerts.tsx";
import { KeyIdLink } from "../components/KeyIdLink.tsx";
import { KeyTimeline } from "../components/KeyTimeline.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { SuspendKey } from "../components/SuspendKey.tsx";
import { TextField } from "../components/TextField.tsx";
import { TryIt } from "../components/tryIt/TryIt.tsx";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { formatRelative } from "../lib/formatRelative.ts";
import { parseKeyId } from "../lib/parseKeyId.ts";
import { scopeNames } from "../lib/scopeNames.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { RequestVerdict } from "./lookup/RequestVerdict.tsx";
import { KeyHistory } from "./owner/OwnerKeys.tsx";

const statusReasons = ["valid", "unknown", "revoked", "suspended", "not yet valid", "expired", "insufficient scope", "not allowed by the current policy", "its owner was revoked by the DAO"];
const keyStates = ["unknown", "active", "suspended", "revoked"];

export default function LookupPage({ param }: { param?: string | undefined }) {
  const [text, setText] = useState(param ?? "");
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setText(param ?? ""), [param]);
  const keyId = parseKeyId(param ?? "");
  return (
    <section aria-labelledby="lookup-title">
      <h1 id="lookup-title">Look-up</h1>
      <div className="grid two">
        <section className="card" aria-labelledby="lookup-key-title">
          <h2 id="lookup-key-title">A key</h2>
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              const id = parseKeyId(text);
              // Only a key id ever reaches the URL: anything else pasted here (a key
              // file, a secret by mistake) must not land in the address bar or history.
              setInvalid(!id);
              if (id) window.location.hash = `#/lookup/${id}`;
            }}
          >
            <TextField
              label="Key id"
              name="lookup-key-id"
              value={text}
              placeholder="0x… (64 hex digits)"
              spellCheck={false}
              onChange={(event) => {
                setText(event.target.value);
                setInvalid(false);
              }}
              error={invalid || (param && !keyId) ? "A key id is 0x followed by 64 hex digits." : undefined}
            />
            <div className="actions">
              <button type="submit" className="primary">Look up</button>
            </div>
          </form>
        </section>
        <RequestVerdict />
      </div>
      {keyId && <KeyRecord keyId={keyId} />}
    </section>
  );
}

function KeyRecord({ keyId }: { keyId: Hex }) {
  const { client, runtime } = useRuntime();
  const { address, isConnected, chainId } = useConnection();
  const health = useIndexerHealth();
  const [trying, setTrying] = useState(false);
  const lineageQuery = useKeyLineage(keyId);
  const links = useProposalLinks(lineageQuery.data);
  const facts = useRegistryFacts();
  const alerts = useKeyAlerts();
  const indexedBlock = health.indexedBlock;
  // The contract's own answer at the block the indexer has reached: they must agree.
  const onChain = useQuery({
    queryKey: ["keyledger", "key", keyId, indexedBlock?.toString()],
    enabled: indexedBlock !== undefined,
    queryFn: async () => {
      const [record, status] = await Promise.all([
        client.readContract({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "getKey", args: [keyId], blockNumber: indexedBlock! }),
        client.readContract({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "keyStatus", args: [keyId, 0], blockNumber: indexedBlock! }),
      ]);
      return { block: indexedBlock!, record, valid: status[0], reason: statusReasons[status[1]] ?? String(status[1]) };
    },
    placeholderData: (previous) => previous,
  });
  const head = health.chainHead;
  if (!lineageQuery.data || !head || !facts.data) {
    if (lineageQuery.error) return <p className="note error" role="alert">Could not read the key from the indexer: {lineageQuery.error.message}</p>;
    return <p aria-busy="true">Reading the registry…</p>;
  }
  const lineage = [...lineageQuery.data].sort((a, b) => a.version - b.version);
  const key = lineage.find((k) => k.keyId === keyId);
  if (!key) {
    return (
      <div className={`empty${health.stale ? " stale" : ""}`} data-testid="lookup-unknown" data-stale={health.stale}>
        <p>
          No key with id <code className="break">{keyId}</code> is registered on chain {runtime.chainId}
          {health.stale ? ` as of block ${indexedBlock} (the indexer may be out of date)` : ""}.
        </p>
      </div>
    );
  }
  const registry: RegistryIndex = { keys: new Map(lineage.map((k) => [k.keyId, k])), policy: facts.data.policy, scopeNames: facts.data.scopeNames, guardians: facts.data.guardians };
  const now = head.timestamp;
  const status = keyStatusAt(key, now);
  const isOwner = address?.toLowerCase() === key.owner.toLowerCase();
  const isGuardian = Boolean(address && registry.guardians.some((g) => g.toLowerCase() === address.toLowerCase()));
  const connected = isConnected && chainId === runtime.chainId;
  const record = onChain.data?.record;
  const keyAlertList = alerts.data?.get(key.keyId.toLowerCase());
  const disagrees = record && onChain.data?.block === indexedBlock && (keyStates[record.state] !== key.state || record.expiresAt !== key.expiresAt || record.version !== key.version);

  return (
    <article className={`card${health.stale ? " stale" : ""}`} aria-labelledby="record-title" data-testid="key-record" data-state={key.state} data-stale={health.stale}>
      <header className="card-head">
        <h2 id="record-title">
          {key.label} v{key.version}
        </h2>
        <StatusBadge status={status} />
      </header>
      <p className="muted">
        As of block {indexedBlock?.toString()}
        {health.stale && <strong className="stale-label"> (may be out of date: see the banner)</strong>}.
      </p>
      {disagrees && (
        <p className="note error" role="alert">
          At block {indexedBlock?.toString()} the contract's record (state {keyStates[record.state]}, valid until {formatDateTime(record.expiresAt)}) differs
          from the indexer's history below: do not rely on this page's view of the key.
        </p>
      )}
      <dl className="record">
        <dt>Key id</dt>
        <dd><code className="break">{key.keyId}</code></dd>
        <dt>Owner</dt>
        <dd><a href={`#/owner/${key.owner}`}><code className="break">{key.owner}</code></a>{isOwner && " (you)"}</dd>
        <dt>Algorithm</dt>
        <dd>{algorithmLabel(key.alg)} <span className="muted">({key.alg})</span></dd>
        <dt>Scopes</dt>
        <dd>{scopeNames(key.scopes, registry.scopeNames).join(", ") || "none"}</dd>
        <dt>Valid</dt>
        <dd>
          {formatDateTime(key.notBefore)} – {formatDateTime(key.expiresAt)}{" "}
          {status.status === "active" && <span className="muted">(ends {formatRelative(key.expiresAt, now)})</span>}
        </dd>
        {alerts.data && (
          <>
            <dt>Alerts</dt>
            <dd data-testid="record-alerts">
              {keyAlertList?.length ? <KeyAlerts alerts={keyAlertList} name={`${key.label} v${key.version}`} /> : "none from the API's metrics"}
            </dd>
          </>
        )}
        <dt>Contract says</dt>
        <dd data-testid="contract-status">
          {onChain.data ? (onChain.data.valid ? "valid now" : `not valid: ${onChain.data.reason}`) : "…"}
        </dd>
        <dt>Lineage</dt>
        <dd>
          {lineage.map((k, i) => (
            <span key={k.keyId}>
              {i > 0 && " → "}
              {k.keyId === key.keyId ? <strong>v{k.version}</strong> : <a href={`#/lookup/${k.keyId}`}>v{k.version}</a>}
            </span>
          ))}
        </dd>
        <dt>Public key</dt>
        <dd><code className="break">{key.publicKey}</code></dd>
        <dt>Proof of possession</dt>
        <dd><code className="break">{key.proof}</code></dd>
      </dl>
      {(lineage.length > 1 || links.size > 0) && <KeyTimeline versions={lineage} now={now} links={links} />}
      <div className="actions wrap">
        {connected && isOwner && key.state === "active" && !key.rotated && <a className="button secondary" href={`#/rotate/${key.keyId}`}>Rotate</a>}
        {connected && isOwner && key.state !== "revoked" && <a className="button danger" href={`#/revoke/${key.keyId}`}>Revoke</a>}
        {key.state !== "revoked" && <a className="button secondary" href={`#/governance/${key.keyId}`}>Propose a DAO revocation</a>}
        {runtime.apiUrl && (
          <button type="button" className="secondary" aria-expanded={trying} onClick={() => setTrying(!trying)} data-testid="lookup-try">
            Try it
          </button>
        )}
      </div>
      {trying && <TryIt keyId={key.keyId} name={`${key.label} v${key.version}`} scopes={scopeNames(key.scopes, registry.scopeNames)} onClose={() => setTrying(false)} />}
      <h3>History</h3>
      <KeyHistory keys={[key]} links={links} />
      {connected && isGuardian && key.state === "active" && <SuspendKey registry={registry} initialKeyId={key.keyId} />}
    </article>
  );
}
