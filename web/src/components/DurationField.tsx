import { useId } from "react";
import { type DurationUnit, durationUnits } from "../lib/durationUnits.ts";

export type DurationFieldProps = {
  label: string;
  value: string;
  unit: DurationUnit;
  onChange: (value: string, unit: DurationUnit) => void;
  hint?: string | undefined;
  error?: string | undefined;
};

/** A number and a unit (minutes, hours, days), with the policy bound as the hint. */
export function DurationField({ label, value, unit, onChange, hint, error }: DurationFieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="duration-input">
        <input
          id={id}
          inputMode="decimal"
          value={value}
          onChange={(event) => onChange(event.target.value, unit)}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
        />
        <select aria-label={`${label} unit`} value={unit} onChange={(event) => onChange(value, event.target.value as DurationUnit)}>
          {Object.keys(durationUnits).map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </div>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
