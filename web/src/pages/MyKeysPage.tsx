import { useConnection } from "wagmi";
import { keyStatusAt } from "../chain/keyStatusAt.ts";
import { lineages } from "../chain/lineages.ts";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { useKeyUsage } from "../chain/useKeyUsage.ts";
import { KeyIdLink } from "../components/KeyIdLink.tsx";
import { KeyTimeline } from "../components/KeyTimeline.tsx";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { formatRelative } from "../lib/formatRelative.ts";
import { scopeNames } from "../lib/scopeNames.ts";

export default function MyKeysPage() {
  return (
    <section aria-labelledby="my-keys-title">
      <h1 id="my-keys-title">My keys</h1>
      <RequireWallet action="see your keys">
        <KeyList />
      </RequireWallet>
    </section>
  );
}

function KeyList() {
  const { address } = useConnection();
  const snapshot = useChainSnapshot();
  const usage = useKeyUsage();
  if (!snapshot.data) return <p aria-busy="true">Reading the registry…</p>;
  const { registry, head } = snapshot.data;
  const now = head.timestamp;
  const mine = lineages(registry, address);
  if (mine.length === 0) {
    return (
      <div className="empty">
        <p>This account has no keys yet.</p>
        <a className="button primary" href="#/register">Register a key</a>
      </div>
    );
  }
  const wallNow = Math.floor(Date.now() / 1000);
  return (
    <>
      <p className="lead">
        {mine.length} {mine.length === 1 ? "lineage" : "lineages"} owned by this account. Times are chain time (block {head.number.toString()}).
        {usage.data === null && " No reference API is configured, so usage is not shown."}
        {usage.isError && " The reference API's metrics are unreachable, so usage is not shown."}
      </p>
      {mine.map((lineage) => {
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
            <KeyTimeline versions={lineage.versions} now={now} />
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
                  </tr>
                </thead>
                <tbody>
                  {[...lineage.versions].reverse().map((key) => {
                    const status = keyStatusAt(key, now);
                    const use = usage.data?.get(key.keyId.toLowerCase());
                    return (
                      <tr key={key.keyId} data-testid="key-row" data-key-id={key.keyId}>
                        <td data-label="Version">v{key.version}</td>
                        <td data-label="Key id">
                          <KeyIdLink keyId={key.keyId} />
                        </td>
                        <td data-label="Algorithm">{algorithmLabel(key.alg)}</td>
                        <td data-label="Scopes">{scopeNames(key.scopes, registry.scopeNames).join(", ")}</td>
                        <td data-label="Status">
                          <StatusBadge status={status} />
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
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </article>
        );
      })}
    </>
  );
}
