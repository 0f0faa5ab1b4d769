/**
 * The q-quantile (0..1) of `values` by linear interpolation between closest
 * ranks; NaN for an empty list. Medians of per-round figures are what we
 * report: one noisy round on a shared machine moves a median little.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}
