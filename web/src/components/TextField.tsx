import { type InputHTMLAttributes, useId } from "react";

export type TextFieldProps = {
  label: string;
  hint?: React.ReactNode;
  error?: string | undefined;
  multiline?: boolean | undefined;
} & Omit<InputHTMLAttributes<HTMLInputElement & HTMLTextAreaElement>, "id">;

/** A labelled input with its hint and error wired up for screen readers. */
export function TextField({ label, hint, error, multiline, ...input }: TextFieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const props = { id, "aria-invalid": error ? true : undefined, "aria-describedby": described, ...input };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea {...props} /> : <input {...props} />}
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
