import { useState } from "react";
import type { Address } from "viem";
import { keyStatusAt } from "../../chain/keyStatusAt.ts";
import { useKeyAlerts } from "../../chain/useKeyAlerts.ts";
import { useKeyUsage } from "../../chain/useKeyUsage.ts";
import { KeyAlerts } from "../../components/KeyAlerts.tsx";
import { KeyIdLink } from "../../components/KeyIdLink.tsx";
import { KeyTimeline } from "../../components/KeyTimeline.tsx";
import { ProposalLink } from "../../components/ProposalLink.tsx";
import { CopyButton } from "../../components/RecentTransactions.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { TryIt } from "../../components/tryIt/TryIt.tsx";
import { groupLineages, type IndexedKey, type KeyEvent, useIndexerHealth, useOwnerKeys, useProposalLinks, useRegistryFacts } from "../../indexer/index.ts";
import { algorithmLabel } from "../../lib/algorithmLabel.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { formatRelative } from "../../lib/formatRelative.ts";
import { keyEventId } from "../../lib/keyEventId.ts";
import { scopeNames } from "../../lib/scopeNames.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

/**
 * Every key of one owner, from the indexer: lineages, versions with their validity
 * windows and states, and each lineage's audit trail. "My keys" is this view for
 * the connected account; `#/owner/<address>` for anyone's, no wallet needed.
 */
export function OwnerKeys({ owner, self }: { owner: Address; self: boolean }) {
  const keys = useOwnerKeys(owner);
  const facts = useRegistryFacts();
  const health = useIndexerHealth();
  const usage = useKeyUsage();
  const alerts = useKeyAlerts();
  const links = useProposalLinks(keys.data);
  const [hideRevoked, setHideRevoked] = useState(false);
  // The key whose Try it panel is open (one at a time).
  const [trying, setTrying] = useState<string | null>(null);
  const { runtime } = useRuntime();
  // Anyone holding a key's file can try it, so the public view offers Try it too (and only that).
  const actions = self || Boolean(runtime.apiUrl);
  if (!keys.data || !health.chainHead) {
    if (keys.error) return <p className="note error" role="alert">Could not read the keys from the indexer: {keys.error.message}</p>;
    return <p aria-busy="true">Reading the registry…</p>;
  }
  const now = health.chainHead.timestamp;
  const names = facts.data?.scopeNames ?? [];
  const lineages = groupLineages(keys.data, owner);
  if (lineages.length === 0) {
    return (
      <div className={`empty${health.stale ? " stale" : ""}`} data-testid="owner-empty" data-stale={health.stale}>
        <p>{self ? "This account has no keys yet." : <>No keys are registered to <code className="break">{owner}</code>.</>}</p>
        {self && <a className="button primary" href="#/register">Register a key</a>}
      </div>
    );
  }
  const wallNow = Math.floor(Date.now() / 1000);
  const timelock = runtime.addresses.KeyLedgerTimelock.toLowerCase();
  const revokedLineages = lineages.filter((l) => l.versions.every((v) => v.state === "revoked")).length;
  const shown = hideRevoked ? lineages.filter((l) => !l.versions.every((v) => v.state === "revoked")) : lineages;
  return (
    <div className={health.stale ? "stale" : undefined} data-testid="owner-keys" data-stale={health.stale} aria-describedby={health.stale ? "indexer-banner" : undefined}>
      <p className="lead">
        {lineages.length} {lineages.length === 1 ? "lineage" : "lineages"} owned by {self ? "this account" : <code title={owner}>{shortHex(owner)}</code>}. Keys as of block{" "}
        {health.indexedBlock?.toString()}
        {health.stale && <strong className="stale-label"> (may be out of date)</strong>}; times are chain time (block {health.chainHead.number.toString()}).
        {usage.data === null && " No reference API is configured, so usage is not shown."}
        {usage.isError && " The reference API's metrics are unreachable, so usage is not shown."}
      </p>
      {revokedLineages > 0 && (
        <p className="filters">
          <label className="checkbox">
            <input type="checkbox" checked={hideRevoked} onChange={(event) => setHideRevoked(event.target.checked)} data-testid="hide-revoked" />
            Hide revoked lineages ({revokedLineages})
          </label>
          {hideRevoked && (
            <span className="muted" role="status" data-testid="hidden-count">
              {" "}
              {revokedLineages} {revokedLineages === 1 ? "lineage is" : "lineages are"} hidden.
            </span>
          )}
        </p>
      )}
      {shown.map((lineage) => {
        const newest = lineage.versions[lineage.versions.length - 1]!;
        return (
          <article className="card lineage" key={lineage.lineageId} data-testid="lineage" data-label={lineage.label}>
            <header className="card-head">
              <h2>{lineage.label}</h2>
              <p className="lineage-path" aria-label="Version lineage">
                {lineage.versions.map((v, i) => (
                  <span key={v.keyId}>
                    {i > 0 && <span aria-hidden="true"> → </span>}v{v.version}
                  </span>
                ))}
              </p>
              <StatusBadge status={keyStatusAt(newest, now)} />
            </header>
            <KeyTimeline versions={lineage.versions} now={now} links={links} />
            <div className="table-wrap">
              <table className="responsive">
                <caption className="visually-hidden">Versions of {lineage.label}</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Key id</th>
                    <th scope="col">Algorithm</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Status</th>
                    <th scope="col">Valid</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Last used</th>
                    {actions && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {[...lineage.versions].reverse().map((key) => {
                    const status = keyStatusAt(key, now);
                    const use = usage.data?.get(key.keyId.toLowerCase());
                    const name = `${lineage.label} v${key.version}`;
                    // The last revocation or suspension of this key, from the audit trail.
                    const stop = key.state === "active" ? undefined : [...key.events].reverse().find((e) => e.kind === key.state);
                    const stopProposal = stop && links.get(keyEventId(key.keyId, stop));
                    return (
                      <tr key={key.keyId} data-testid="key-row" data-key-id={key.keyId} data-state={key.state}>
                        <td data-label="Version">v{key.version}</td>
                        <td data-label="Key id">
                          <KeyIdLink keyId={key.keyId} /> <CopyButton text={key.keyId} label={`Copy key id of ${name}`} what="key id" />
                        </td>
                        <td data-label="Algorithm">{algorithmLabel(key.alg)}</td>
                        <td data-label="Scopes">{scopeNames(key.scopes, names).join(", ")}</td>
                        <td data-label="Status">
                          <StatusBadge status={status} />
                          {stop && (
                            <small className="muted stop-details" data-testid="stop-details">
                              <br />
                              {stop.kind === "revoked" ? "Revoked" : "Suspended"} {formatDateTime(stop.timestamp)}
                              {stop.by && (
                                <>
                                  {" "}by <span title={stop.by}>{actorName(stop, key, timelock)}</span>
                                </>
                              )}
                              {stopProposal !== undefined && (
                                <>
                                  {" "}
                                  (<ProposalLink proposalId={stopProposal} />)
                                </>
                              )}
                              {stop.reason && <>: “{stop.reason}”</>}
                            </small>
                          )}
                          <KeyAlerts alerts={alerts.data?.get(key.keyId.toLowerCase())} name={name} />
                        </td>
                        <td data-label="Valid">
                          {formatDateTime(key.notBefore)} – {formatDateTime(key.expiresAt)}
                          <br />
                          <small className={status.expiresSoon ? "warning-text" : "muted"}>
                            {status.status === "active" && `ends ${formatRelative(key.expiresAt, now)}`}
                            {status.status === "not-yet-valid" && `starts ${formatRelative(key.notBefore, now)}`}
                            {status.status === "expired" && `ended ${formatRelative(key.expiresAt, now)}`}
                          </small>
                        </td>
                        <td data-label="Requests">{usage.data ? (use?.requests ?? 0).toLocaleString("en-US") : "–"}</td>
                        <td data-label="Last used">{use?.lastUsed ? formatRelative(use.lastUsed, wallNow) : usage.data ? "never" : "–"}</td>
                        {actions && (
                          <td data-label="Actions" className="row-actions">
                            {self && !key.rotated && status.status === "active" && (
                              <a href={`#/rotate/${key.keyId}`} aria-label={`Rotate ${name}`} data-testid="row-rotate">
                                Rotate
                              </a>
                            )}
                            {self && key.rotated && !key.superseded && key.state === "active" && status.status === "active" && (
                              <a href={`#/rotate/${key.keyId}`} aria-label={`Extend the overlap of ${name}`} data-testid="row-extend">
                                Extend
                              </a>
                            )}
                            {self && key.state !== "revoked" && (
                              <a href={`#/revoke/${key.keyId}`} aria-label={`Revoke ${name}`} data-testid="row-revoke" className="danger-text">
                                Revoke
                              </a>
                            )}
                            {/* Offered in every state: seeing the API refuse a revoked key is a test too. */}
                            {runtime.apiUrl && (
                              <button
                                type="button"
                                className="link"
                                aria-label={`Try it with ${name}: a signed test request`}
                                aria-expanded={trying === key.keyId}
                                onClick={() => setTrying(trying === key.keyId ? null : key.keyId)}
                                data-testid="row-try"
                              >
                                Try it
                              </button>
                            )}
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {lineage.versions
              .filter((v) => v.keyId === trying)
              .map((v) => (
                <TryIt key={v.keyId} keyId={v.keyId} name={`${lineage.label} v${v.version}`} scopes={scopeNames(v.scopes, names)} onClose={() => setTrying(null)} />
              ))}
            <details className="history">
              <summary>History ({lineage.versions.reduce((n, v) => n + v.events.length, 0)} events)</summary>
              <KeyHistory keys={lineage.versions} links={links} />
            </details>
          </article>
        );
      })}
    </div>
  );
}

const eventText: Record<KeyEvent["kind"], string> = {
  registered: "Registered",
  "rotated-in": "Rotated in",
  "rotated-out": "Rotated out",
  "overlap-extended": "Overlap extended",
  "overlap-ended": "Overlap ended (successor rotated)",
  revoked: "Revoked",
  suspended: "Suspended",
  "suspension-extended": "Suspension extended",
  unsuspended: "Suspension lifted",
  released: "Released (its place under the cap given back)",
};

/**
 * Whether the owner's rotator did this: a rotation or revocation whose `by` is neither the
 * key's owner nor the DAO's timelock (KeyRotated.by is the owner or its rotator; KeyRevoked.by
 * the owner, its rotator or governance).
 */
function byRotator(e: KeyEvent, key: IndexedKey, timelock: string): boolean {
  if (!e.by || !(e.kind === "rotated-in" || e.kind === "rotated-out" || e.kind === "revoked")) return false;
  const by = e.by.toLowerCase();
  return by !== key.owner.toLowerCase() && by !== timelock;
}

/** Who stopped a key, in words: the DAO, the owner, the owner's rotator, else the address. */
function actorName(e: KeyEvent, key: IndexedKey, timelock: string): string {
  const by = e.by!.toLowerCase();
  if (by === timelock) return "DAO (timelock)";
  if (by === key.owner.toLowerCase()) return "the owner";
  return byRotator(e, key, timelock) ? `rotator ${shortHex(e.by!)}` : shortHex(e.by!);
}

/**
 * The audit trail of some keys (a lineage or one key), oldest first: what, who, when,
 * block, transaction, reason, and the proposal behind a DAO act (`links`, see useProposalLinks).
 */
export function KeyHistory({ keys, links }: { keys: readonly IndexedKey[]; links?: ReadonlyMap<string, bigint> | undefined }) {
  const { runtime } = useRuntime();
  const events = keys
    .flatMap((key) => key.events.map((event) => ({ key, event })))
    .sort((a, b) => (a.event.blockNumber === b.event.blockNumber ? a.event.logIndex - b.event.logIndex : a.event.blockNumber < b.event.blockNumber ? -1 : 1));
  const timelock = runtime.addresses.KeyLedgerTimelock.toLowerCase();
  return (
    <div className="table-wrap">
      <table className="responsive" data-testid="key-history">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Key</th>
            <th scope="col">When</th>
            <th scope="col">By</th>
            <th scope="col">Details</th>
            <th scope="col">Transaction</th>
          </tr>
        </thead>
        <tbody>
          {events.map(({ key, event: e }) => (
            <tr key={`${e.transactionHash}-${e.logIndex}-${key.keyId}`} data-testid="history-row" data-kind={e.kind}>
              <td data-label="Event">{eventText[e.kind]}</td>
              <td data-label="Key">v{key.version}</td>
              <td data-label="When">
                {formatDateTime(e.timestamp)}
                <br />
                <small className="muted">block {e.blockNumber.toString()}</small>
              </td>
              <td data-label="By">
                {e.by ? (
                  byRotator(e, key, timelock) ? (
                    <span data-testid="by-rotator">
                      rotator <code title={e.by}>{shortHex(e.by)}</code>
                    </span>
                  ) : (
                    <code title={e.by}>{e.by.toLowerCase() === timelock ? "DAO (timelock)" : shortHex(e.by)}</code>
                  )
                ) : (
                  "–"
                )}
                {links?.get(keyEventId(key.keyId, e)) !== undefined && (
                  <>
                    <br />
                    <small>
                      by <ProposalLink proposalId={links.get(keyEventId(key.keyId, e))!} />
                    </small>
                  </>
                )}
              </td>
              <td data-label="Details">
                {e.reason && <>“{e.reason}” </>}
                {e.otherKeyId && (
                  <>
                    {e.kind === "rotated-out" ? "to " : "from "}
                    <KeyIdLink keyId={e.otherKeyId} chars={3} />{" "}
                  </>
                )}
                {e.expiresAt !== undefined && <>valid until {formatDateTime(e.expiresAt)}</>}
              </td>
              <td data-label="Transaction">
                <code title={e.transactionHash}>{shortHex(e.transactionHash)}</code>{" "}
                <CopyButton text={e.transactionHash} label={`Copy transaction hash of ${eventText[e.kind]} v${key.version}`} what="transaction hash" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
