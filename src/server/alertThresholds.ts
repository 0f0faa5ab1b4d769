/**
 * The numbers behind every key alert, defined once: the reference API's webhook events
 * (`createApiEvents`' defaults), the dApp's alerts (`web/src/lib/keyAlerts.ts`) and the
 * shipped Prometheus rules (`ops/prometheus/keyledger.rules.yml`, which YAML cannot import:
 * `test/server/alertThresholds.test.ts` reads the rules and fails when a number differs).
 * A burst fires when a counter grows by *more than* `moreThan` within `windowSeconds`.
 */
export const alertThresholds = {
  /** An older version of a label used within this many seconds while a newer one serves: still in use (15 min). */
  oldVersionUsedWithinSeconds: 900,
  /** The newest in-use version expiring within this many seconds (7 days)… */
  expiresSoonSeconds: 7 * 86_400,
  /** …and "in use" means used within this many seconds (24 h). */
  expiresSoonUsedWithinSeconds: 86_400,
  /** Per registered key: bad signatures (its id used without its private key). */
  keyBadSignatureBurst: { moreThan: 10, windowSeconds: 300 },
  /** Per registered key: replayed nonces (captured requests resent). */
  keyReplayedNonceBurst: { moreThan: 3, windowSeconds: 300 },
  /** Over all requests, by reason. */
  badSignatureBurst: { moreThan: 20, windowSeconds: 300 },
  replayedNonceBurst: { moreThan: 5, windowSeconds: 300 },
  /** Any request signed with a revoked or suspended key. */
  revokedOrSuspendedKeyUsed: { moreThan: 0, windowSeconds: 600 },
  /** The chain index not at the head for this long. */
  chainIndexStaleSeconds: 120,
} as const;

export type AlertThresholds = typeof alertThresholds;
