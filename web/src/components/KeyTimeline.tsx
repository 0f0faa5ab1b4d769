import { keyStatusAt } from "../chain/keyStatusAt.ts";
import type { IndexedKey } from "../indexer/index.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { keyEventId } from "../lib/keyEventId.ts";
import { shortHex } from "../lib/shortHex.ts";
import { timelineLayout } from "../lib/timelineLayout.ts";
import { ProposalLink } from "./ProposalLink.tsx";

export type KeyTimelineProps = {
  versions: readonly IndexedKey[];
  now: number;
  /** Proposals behind entries of the versions' histories, by `keyEventId` (see useProposalLinks). */
  links?: ReadonlyMap<string, bigint> | undefined;
};

const actText = { revoked: "revoked", unsuspended: "suspension lifted" } as Partial<Record<string, string>>;

/**
 * The validity windows of a lineage's versions on one axis, with "now": the
 * overlap of a rotation (both versions valid) is visible as stacked bars. A DAO
 * act on a version (revocation, lifted suspension) is marked where it happened and
 * listed under the axis with a link to the proposal that did it.
 */
export function KeyTimeline({ versions, now, links }: KeyTimelineProps) {
  const layout = timelineLayout({ items: versions.map((v) => ({ id: v.keyId, from: v.notBefore, to: v.expiresAt })), now });
  const at = (t: number) => Math.min(100, Math.max(0, ((t - layout.start) / Math.max(1, layout.end - layout.start)) * 100));
  const acts = versions.flatMap((v) =>
    v.events.flatMap((event) => {
      const proposalId = links?.get(keyEventId(v.keyId, event));
      return proposalId === undefined ? [] : [{ version: v, event, proposalId, what: `v${v.version} ${actText[event.kind] ?? event.kind}` }];
    }),
  );
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
                {acts
                  .filter((a) => a.version === v)
                  .map((a) => (
                    // A pointer only: the link to the proposal is in the list below, in words.
                    <span
                      key={keyEventId(v.keyId, a.event)}
                      className="timeline-mark"
                      style={{ left: `${at(a.event.timestamp)}%` }}
                      title={`${a.what} ${formatDateTime(a.event.timestamp)} by proposal ${shortHex(`0x${a.proposalId.toString(16)}`)}`}
                      aria-hidden="true"
                    />
                  ))}
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
      {acts.length > 0 && (
        <ul className="timeline-acts" data-testid="timeline-acts">
          {acts.map((a) => (
            <li key={keyEventId(a.version.keyId, a.event)}>
              <span className="timeline-mark-key" aria-hidden="true" /> {a.what} {formatDateTime(a.event.timestamp)} by <ProposalLink proposalId={a.proposalId} />
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
