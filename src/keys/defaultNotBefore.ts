/** The registry's `NOT_BEFORE_TOLERANCE`: how far in the past a new key's notBefore may lie. */
export const notBeforeTolerance = 3_600;
/** The registry's `MAX_NOT_BEFORE_DELAY`: how far ahead a new key's notBefore may lie. */
export const maxNotBeforeDelay = 30 * 86_400;

export type DefaultNotBeforeParameters = {
  /** The chain's latest block time, unix seconds. */
  chainNow: number;
  /** This machine's clock, unix seconds; default `Date.now()`. */
  wallNow?: number | undefined;
};

/**
 * The notBefore for a key that should be valid "now": the earlier of the chain's clock
 * and this machine's (a dev chain's blocks can run ahead of real time, and a verifier
 * on real time would otherwise see the new key as not yet valid), but never further
 * back than the registry accepts (`NotBeforeTooEarly`), with 5 minutes to spare for
 * the transaction to be mined — on a dev chain moved hours ahead, the chain's clock wins.
 */
export function defaultNotBefore({ chainNow, wallNow = Math.floor(Date.now() / 1000) }: DefaultNotBeforeParameters): number {
  return Math.max(Math.min(chainNow, wallNow), chainNow - notBeforeTolerance + 300);
}
