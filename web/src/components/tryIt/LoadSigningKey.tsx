import { useId, useState } from "react";
import type { Hex } from "viem";
import type { KeyFile } from "../../../../src/keys/types.ts";
import { keyBelongsTo } from "../../lib/keyBelongsTo.ts";
import { readKeyText } from "../../lib/readKeyText.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { TextField } from "../TextField.tsx";
import { UnlockKeyFile } from "../UnlockKeyFile.tsx";

export type LoadSigningKeyProps = {
  /** The key the file must hold: a file for another key is refused, not silently used. */
  keyId: Hex;
  onLoaded: (key: KeyFile) => void;
};

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

  /** Takes the key if it is this key; else says whose it is (and returns that, for the unlock field). */
  const accept = (key: KeyFile): string | undefined => {
    if (!keyBelongsTo(keyId, key.publicKey)) {
      const message = `This file holds key ${shortHex(key.keyId)}, not ${shortHex(keyId)}.`;
      setError(message);
      return message;
    }
    setError(undefined);
    setLocked(null);
    // Signs with the registry id even when the file still carries the owner-free one.
    onLoaded({ ...key, keyId });
    return undefined;
  };

  /** `name` is the file's name, or null for pasted text. */
  const read = (text: string, name: string | null) => {
    setLocked(null);
    const result = text.trim() ? readKeyText(text) : null;
    // Text that may hold a private key never stays on screen; anything else stays to be corrected.
    setPasted(name || !result || result.kind !== "error" || /"(d|privateKey)"\s*:/.test(text) ? "" : text);
    if (!result) return setError(undefined);
    if (result.kind === "error") return setError(name ? `${name}: ${result.message}` : result.message);
    if (result.kind === "key") return void accept(result.key);
    if (!keyBelongsTo(keyId, result.publicKey)) return setError(`This file holds key ${shortHex(result.keyId)}, not ${shortHex(keyId)}.`);
    setError(undefined);
    setLocked({ file: result.file, name: name ?? "The pasted key file" });
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
      {locked && <UnlockKeyFile file={locked.file} label={`Passphrase of ${locked.name}`} onUnlocked={accept} />}
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
