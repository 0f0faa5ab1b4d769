import type { KeyAlert } from "../lib/keyAlerts.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { formatRelative } from "../lib/formatRelative.ts";

const titles: Record<KeyAlert["kind"], string> = {
  "old-version-in-use": "Old version still in use",
  "expires-soon": "Expires soon while in use",
  "bad-signature-burst": "Bad-signature burst",
  "replayed-nonce-burst": "Replayed nonces",
  "revoked-key-used": "Revoked key still used",
  "suspended-key-used": "Suspended key still used",
};

/** What happened and what to do, in words (the rule's own thresholds named). */
function detail(alert: KeyAlert, now: number): string {
  const ago = (at: number) => (at >= now ? "just now" : formatRelative(at, now));
  switch (alert.kind) {
    case "old-version-in-use":
      return `v${alert.version} signed a request ${ago(alert.lastUsed)} although v${alert.newestVersion} of its label serves requests: a client has not switched. Move it before this version's overlap ends.`;
    case "expires-soon":
      return `The newest version in use (last request ${ago(alert.lastUsed)}) expires ${formatRelative(alert.expiresAt, now)}. Rotate it before its clients are cut off.`;
    default: {
      const n = alert.count;
      const requests = n === 1 ? "1 request" : `${n} requests`;
      const were = n === 1 ? "was" : "were";
      const what = {
        "bad-signature-burst": `${requests} naming this key failed to verify: someone without its private key uses its id, or a client signs the wrong components`,
        "replayed-nonce-burst": `${n} replayed-nonce ${n === 1 ? "rejection" : "rejections"}: captured requests signed with this key are being resent, or a client reuses nonces`,
        "revoked-key-used": `${requests} signed with this revoked key ${were} refused: a client still has it, or someone holds a leaked copy`,
        "suspended-key-used": `${requests} signed with this suspended key ${were} refused: a client still uses it`,
      }[alert.kind];
      // Less than the rule's window while the page has not watched that long: said, not hidden.
      const span = alert.observedSeconds < alert.windowSeconds ? `${formatDuration(alert.observedSeconds)} this page has watched` : formatDuration(alert.windowSeconds);
      return `${what} (in the last ${span}; the alert is more than ${alert.moreThan} in ${formatDuration(alert.windowSeconds)}).`;
    }
  }
}

/**
 * A key's alerts, as an operator's Prometheus would raise them from the reference API's
 * metrics (`keyAlerts`): nothing when there are none. Shared by My keys, the public owner
 * view and Look-up. Severity is in words, not only in colour.
 */
export function KeyAlerts({ alerts, name, now = Date.now() / 1000 }: { alerts: readonly KeyAlert[] | undefined; name: string; now?: number | undefined }) {
  if (!alerts || alerts.length === 0) return null;
  return (
    <ul className="key-alerts" aria-label={`Alerts for ${name}`} data-testid="key-alerts">
      {alerts.map((alert) => (
        <li key={alert.kind} className={`note ${alert.severity === "critical" ? "error" : "warning"}`} data-testid="key-alert" data-kind={alert.kind} data-severity={alert.severity}>
          <strong>
            {alert.severity === "critical" ? "Critical" : "Warning"}: {titles[alert.kind]}.
          </strong>{" "}
          {detail(alert, Math.floor(now))}
        </li>
      ))}
    </ul>
  );
}
