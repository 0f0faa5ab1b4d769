import { formatDuration } from "./formatDuration.ts";
import type { FieldCheck } from "./validateLabel.ts";

export type ValidateDurationParameters = {
  /** Seconds, or NaN when the field does not hold a number. */
  seconds: number;
  /** The policy bound (seconds). */
  max: number;
  /** What the duration is, for the message: "lifetime", "overlap". */
  name: string;
  /** Whether 0 is allowed (an overlap of 0 ends the old key at once). */
  allowZero?: boolean | undefined;
};

/** A lifetime or overlap within the DAO's bound. */
export function validateDuration({ seconds, max, name, allowZero = false }: ValidateDurationParameters): FieldCheck {
  if (!Number.isFinite(seconds) || !Number.isInteger(seconds)) return { ok: false, message: `Enter the ${name} as a whole number.` };
  if (seconds < 0 || (seconds === 0 && !allowZero)) {
    return { ok: false, message: `The ${name} must be ${allowZero ? "zero or more" : "longer than zero"}.` };
  }
  if (seconds > max) {
    return { ok: false, message: `The ${name} of ${formatDuration(seconds)} is longer than the DAO's maximum of ${formatDuration(max)}.` };
  }
  return { ok: true };
}
