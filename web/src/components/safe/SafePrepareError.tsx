import type { DescribedError } from "../../lib/describeError.ts";

/** Why a Safe's signing request could not be prepared (the simulation as the Safe refused, a Safe not read…). */
export function SafePrepareError({ error }: { error: DescribedError | null }) {
  if (!error) return null;
  return (
    <div className="note error" role="alert" data-testid="safe-prepare-error" data-code={error.code}>
      <p>
        <strong>{error.title}</strong>
      </p>
      {error.detail && <p>{error.detail}</p>}
    </div>
  );
}
