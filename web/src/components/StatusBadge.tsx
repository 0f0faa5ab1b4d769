import type { KeyStatusAtReturnType } from "../chain/keyStatusAt.ts";

const text = {
  active: "Active",
  "not-yet-valid": "Not yet valid",
  expired: "Expired",
  revoked: "Revoked",
  suspended: "Suspended",
} as const;

/** A key's status in words and colour (the colour is never the only signal). */
export function StatusBadge({ status }: { status: KeyStatusAtReturnType }) {
  return (
    <span className="badges">
      <span className={`badge status-${status.status}`} data-testid="key-status">
        {text[status.status]}
      </span>
      {status.inOverlap && <span className="badge overlap">Rotating out</span>}
      {status.expiresSoon && <span className="badge warning">Expires soon</span>}
    </span>
  );
}
