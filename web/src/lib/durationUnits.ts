/** Units the duration fields offer, in seconds. */
export const durationUnits = { minutes: 60, hours: 3_600, days: 86_400 } as const;
export type DurationUnit = keyof typeof durationUnits;

/** Seconds for "90" "days"; NaN for anything that is not a plain non-negative decimal. */
export function toSeconds(value: string, unit: DurationUnit): number {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number.NaN;
  return Math.round(Number(value) * durationUnits[unit]);
}
