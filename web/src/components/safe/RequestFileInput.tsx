import { useId, useState } from "react";
import { TextField } from "../TextField.tsx";

export type RequestFileInputProps = {
  /** The loaded file's or pasted text. */
  onText: (text: string) => void | Promise<void>;
  /** The paste button's label ("Add signatures", "Open the request"). */
  actionLabel: string;
  rows?: number | undefined;
};

/** A Safe signing request file, loaded or pasted. */
export function RequestFileInput({ onText, actionLabel, rows = 4 }: RequestFileInputProps) {
  const id = useId();
  const [pasted, setPasted] = useState("");
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-file`}>Signing request file</label>
        <input
          id={`${id}-file`}
          type="file"
          accept="application/json,.json"
          onChange={(event) => {
            const file = event.target.files?.[0];
            // Cleared, so that loading the same file again (after another owner signed it) fires again.
            event.target.value = "";
            if (file) void file.text().then(onText);
          }}
        />
      </div>
      <TextField label="Or paste a signing request" multiline rows={rows} value={pasted} onChange={(event) => setPasted(event.target.value)} spellCheck={false} />
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={pasted.trim() === ""}
          onClick={() => {
            void onText(pasted);
            setPasted("");
          }}
        >
          {actionLabel}
        </button>
      </div>
    </>
  );
}
