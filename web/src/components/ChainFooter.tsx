import { useIndexerHealth } from "../indexer/index.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** Which deployment, which moment of the chain, and how far the indexer has got. */
export function ChainFooter() {
  const { runtime, isLocal } = useRuntime();
  const health = useIndexerHealth();
  const head = health.chainHead;
  return (
    <footer className="site-footer">
      <dl>
        <div>
          <dt>Chain</dt>
          <dd>
            {runtime.chainId}
            {isLocal && " (local)"}
          </dd>
        </div>
        <div>
          <dt>Block</dt>
          <dd data-testid="head-block">{head ? head.number.toString() : "…"}</dd>
        </div>
        <div>
          <dt>Chain time</dt>
          <dd>{head ? formatDateTime(head.timestamp) : "…"}</dd>
        </div>
        <div>
          <dt>Indexer</dt>
          <dd data-testid="indexer-head" data-status={health.status} className={health.stale ? "warning-text" : undefined}>
            {health.status === "unconfigured"
              ? "none configured"
              : health.indexedBlock === undefined
                ? health.status === "down" ? "down" : "…"
                : `indexed to block ${health.indexedBlock}${health.lag !== undefined ? `, ${health.lag} behind` : ""}${health.status === "down" ? " (down)" : ""}`}
          </dd>
        </div>
        <div>
          <dt>Registry</dt>
          <dd>
            <code title={runtime.addresses.KeyRegistry}>{shortHex(runtime.addresses.KeyRegistry)}</code>
          </dd>
        </div>
        <div>
          <dt>Governor</dt>
          <dd>
            <code title={runtime.addresses.KeyLedgerGovernor}>{shortHex(runtime.addresses.KeyLedgerGovernor)}</code>
          </dd>
        </div>
      </dl>
    </footer>
  );
}
