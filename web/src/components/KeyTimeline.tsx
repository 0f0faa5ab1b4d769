import { keyStatusAt } from "../chain/keyStatusAt.ts";
import type { IndexedKey } from "../indexer/index.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { timelineLayout } from "../lib/timelineLayout.ts";

/**
 * The validity windows of a lineage's versions on one axis, with "now": the
 * overlap of a rotation (both versions valid) is visible as stacked bars.
 */
export function KeyTimeline({ versions, now }: { versions: readonly IndexedKey[]; now: number }) {
  const layout = timelineLayout({ items: versions.map((v) => ({ id: v.keyId, from: v.notBefore, to: v.expiresAt })), now });
  return (
    <figure className="timeline" aria-label="Validity windows">
      <div className="timeline-rows">
        {versions.map((v, i) => {
          const bar = layout.bars[i]!;
          const status = keyStatusAt(v, now).status;
          return (
            <div className="timeline-row" key={v.keyId}>
              <span className="timeline-label">v{v.version}</span>
              <div className="timeline-track">
                <div
                  className={`timeline-bar status-${status}`}
                  style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                  title={`v${v.version}: ${formatDateTime(v.notBefore)} – ${formatDateTime(v.expiresAt)}`}
                />
                {layout.now !== null && <div className="timeline-now" style={{ left: `${layout.now}%` }} aria-hidden="true" />}
              </div>
            </div>
          );
        })}
      </div>
      <figcaption className="timeline-axis">
        <span>{formatDateTime(layout.start)}</span>
        <span>{formatDateTime(layout.end)}</span>
        {layout.now !== null && (
          <span className="timeline-now-label" style={{ left: `${layout.now}%` }}>
            now
          </span>
        )}
      </figcaption>
    </figure>
  );
}
