import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/** Which deployment and which moment of the chain the page shows. */
export function ChainFooter() {
  const { runtime, isLocal } = useRuntime();
  const snapshot = useChainSnapshot();
  const head = snapshot.data?.head;
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
