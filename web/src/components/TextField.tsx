import { type ChangeEvent, type InputHTMLAttributes, type ReactNode, useId } from "react";

export type TextFieldProps = {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** A <textarea> with this many rows instead of an <input>. */
  rows?: number | undefined;
  multiline?: boolean | undefined;
  onChange?: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "onChange">;

/** A labelled input with its hint and error wired up for screen readers. */
export function TextField({ label, hint, error, multiline, rows, ...input }: TextFieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const props = { id, "aria-invalid": error ? true : undefined, "aria-describedby": described, ...input };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={rows} {...(props as object)} /> : <input {...props} />}
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
