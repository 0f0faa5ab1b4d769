export type ScopeCheckboxesProps = {
  value: number;
  onChange: (mask: number) => void;
  allowedScopes: number;
  names: readonly string[];
  error?: string | undefined;
  legend?: string | undefined;
};

/** The scope bits the DAO's policy allows, by name. */
export function ScopeCheckboxes({ value, onChange, allowedScopes, names, error, legend = "Scopes" }: ScopeCheckboxesProps) {
  const bits = [...Array(8).keys()].filter((bit) => allowedScopes & (1 << bit));
  return (
    <fieldset className="field" aria-describedby={error ? "scopes-error" : undefined} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      <div className="checkbox-row">
        {bits.map((bit) => (
          <label key={bit} className="checkbox">
            <input
              type="checkbox"
              checked={(value & (1 << bit)) !== 0}
              onChange={(event) => onChange(event.target.checked ? value | (1 << bit) : value & ~(1 << bit))}
            />
            {names[bit] || `bit ${bit}`}
          </label>
        ))}
        {bits.length === 0 && <span className="hint">The DAO's policy allows no scopes.</span>}
      </div>
      {error && (
        <p className="field-error" id="scopes-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
