import { useId, useRef, useState } from "react";
import type { Hex } from "viem";
import type { KeyFile } from "../../../../src/keys/types.ts";
import { decryptKeyFile } from "../../../../src/signer/decryptKeyFile.ts";
import { keyBelongsTo } from "../../lib/keyBelongsTo.ts";
import { readKeyText } from "../../lib/readKeyText.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { TextField } from "../TextField.tsx";

export type LoadSigningKeyProps = {
  /** The key the file must hold: a file for another key is refused, not silently used. */
  keyId: Hex;
  onLoaded: (key: KeyFile) => void;
};

const firstLine = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

/**
 * The private key to sign with, from a `keyledger keygen` file (loaded or pasted;
 * an encrypted one unlocked with its passphrase here). Pasted text holding a
 * private key is cleared once read, and the passphrase once used.
 */
export function LoadSigningKey({ keyId, onLoaded }: LoadSigningKeyProps) {
  const id = useId();
  const [pasted, setPasted] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [locked, setLocked] = useState<{ file: unknown; name: string } | null>(null);
  const [passphrase, setPassphrase] = useState("");
  const [unlocking, setUnlocking] = useState(false);
  const [unlockError, setUnlockError] = useState<string | null>(null);
  const passphraseField = useRef<HTMLInputElement>(null);

  const accept = (key: KeyFile) => {
    if (!keyBelongsTo(keyId, key.publicKey)) {
      setError(`This file holds key ${shortHex(key.keyId)}, not ${shortHex(keyId)}.`);
      return;
    }
    setError(undefined);
    setLocked(null);
    // Signs with the registry id even when the file still carries the owner-free one.
    onLoaded({ ...key, keyId });
  };

  /** `name` is the file's name, or null for pasted text. */
  const read = (text: string, name: string | null) => {
    setUnlockError(null);
    setLocked(null);
    const result = text.trim() ? readKeyText(text) : null;
    // Text that may hold a private key never stays on screen; anything else stays to be corrected.
    setPasted(name || !result || result.kind !== "error" || /"(d|privateKey)"\s*:/.test(text) ? "" : text);
    if (!result) return setError(undefined);
    if (result.kind === "error") return setError(name ? `${name}: ${result.message}` : result.message);
    if (result.kind === "key") return accept(result.key);
    if (!keyBelongsTo(keyId, result.publicKey)) return setError(`This file holds key ${shortHex(result.keyId)}, not ${shortHex(keyId)}.`);
    setError(undefined);
    setLocked({ file: result.file, name: name ?? "The pasted key file" });
    setTimeout(() => passphraseField.current?.focus(), 0);
  };

  const unlock = async () => {
    if (!locked || unlocking) return;
    setUnlocking(true);
    setUnlockError(null);
    try {
      const key = await decryptKeyFile({ file: locked.file, passphrase });
      setPassphrase("");
      accept(key);
    } catch (e) {
      setPassphrase("");
      setUnlockError(/wrong passphrase/i.test(firstLine(e)) ? "Wrong passphrase, or the file was changed. Try again." : firstLine(e));
      passphraseField.current?.focus();
    } finally {
      setUnlocking(false);
    }
  };

  return (
    <div className="inline-form" data-testid="try-load-key">
      <div className="field">
        <label htmlFor={`${id}-file`}>Key file to sign with</label>
        <input
          id={`${id}-file`}
          type="file"
          accept="application/json,.json"
          aria-describedby={`${id}-file-hint`}
          onChange={async (event) => {
            const input = event.target;
            const file = input.files?.[0];
            // Cleared at once, so choosing the same file again fires a change again.
            input.value = "";
            if (file) read(await file.text(), file.name);
          }}
        />
        <p className="hint" id={`${id}-file-hint`}>
          From `keyledger keygen` or saved by this page, encrypted or plaintext. The private key stays in this tab's memory (never sent, never stored) until you forget it or reload.
        </p>
      </div>
      {locked && (
        <div className="inline-form" data-testid="try-unlock">
          <div className="field">
            <label htmlFor={`${id}-passphrase`}>Passphrase of {locked.name}</label>
            <input
              id={`${id}-passphrase`}
              ref={passphraseField}
              type="password"
              autoComplete="off"
              value={passphrase}
              aria-invalid={unlockError ? true : undefined}
              aria-describedby={unlockError ? `${id}-passphrase-error` : undefined}
              onChange={(event) => setPassphrase(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  event.preventDefault();
                  void unlock();
                }
              }}
            />
            {unlockError && (
              <p className="field-error" id={`${id}-passphrase-error`} role="alert">
                {unlockError}
              </p>
            )}
          </div>
          <button type="button" className="secondary" onClick={() => void unlock()} disabled={unlocking || !passphrase}>
            {unlocking ? "Decrypting…" : "Unlock key file"}
          </button>
        </div>
      )}
      <TextField
        label="…or paste the key file"
        multiline
        rows={3}
        spellCheck={false}
        autoComplete="off"
        value={pasted}
        onChange={(event) => read(event.target.value, null)}
        error={error}
      />
    </div>
  );
}
