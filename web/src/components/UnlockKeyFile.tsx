import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { KeyFile } from "../../../src/keys/types.ts";
import { decryptKeyFile } from "../../../src/signer/decryptKeyFile.ts";

export type UnlockKeyFileProps = {
  /** The encrypted key file as read (`isEncryptedKeyFile`); it stays loaded until unlocked or replaced. */
  file: unknown;
  /** The passphrase field's label, e.g. "Key file passphrase". */
  label: string;
  /** Said above the field: which file, which key, that the passphrase never leaves the page. */
  note?: ReactNode;
  /**
   * The decrypted key. Returns a message when the page cannot use it (a file for another
   * key): shown like a wrong passphrase, and the file stays here to try again.
   */
  onUnlocked: (key: KeyFile) => string | undefined | void;
};

const firstLine = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

/**
 * An encrypted key file's passphrase, asked in the page (Register/Rotate's key pair and Try
 * it's signing key): the field has focus when it appears, Enter or the button decrypts, a
 * wrong passphrase says so in an alert tied to the field and keeps the file, and the
 * passphrase is cleared from the field (and this component's state) once used, right or wrong.
 */
export function UnlockKeyFile({ file, label, note, onUnlocked }: UnlockKeyFileProps) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [unlocking, setUnlocking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  // Asked for as soon as a file needs it: the next step is typing its passphrase.
  useEffect(() => field.current?.focus(), [file]);

  const unlock = async () => {
    if (unlocking || !passphrase) return;
    setUnlocking(true);
    setError(null);
    const typed = passphrase;
    setPassphrase("");
    let refused: string | undefined | void;
    try {
      refused = onUnlocked(await decryptKeyFile({ file, passphrase: typed }));
    } catch (e) {
      refused = /wrong passphrase/i.test(firstLine(e)) ? "Wrong passphrase, or the file was changed. Try again." : firstLine(e);
    }
    setUnlocking(false);
    if (refused) {
      setError(refused);
      field.current?.focus();
    }
  };

  return (
    <div className="inline-form" data-testid="unlock-key-file">
      {note && <p className="note">{note}</p>}
      <div className="field">
        <label htmlFor={`${id}-passphrase`}>{label}</label>
        <input
          id={`${id}-passphrase`}
          ref={field}
          type="password"
          autoComplete="off"
          value={passphrase}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setPassphrase(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              void unlock();
            }
          }}
        />
        {error && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="button" className="secondary" onClick={() => void unlock()} disabled={unlocking || !passphrase}>
        {unlocking ? "Decrypting…" : "Unlock key file"}
      </button>
    </div>
  );
}
