import { useState } from "react";
import type { Address } from "viem";
import { type Algorithm, algorithms, algorithmToChain } from "../../../src/keys/algorithms.ts";
import { bindKeyId } from "../../../src/keys/computeKeyId.ts";
import { generateKey } from "../../../src/keys/generateKey.ts";
import { proofOfPossessionMessage } from "../../../src/keys/proofOfPossession.ts";
import type { KeyFile } from "../../../src/keys/types.ts";
import { isEncryptedKeyFile } from "../../../src/signer/decryptKeyFile.ts";
import { toHex } from "viem";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { downloadJson } from "../lib/downloadJson.ts";
import { encryptKeyFile, passphraseProblem } from "../lib/encryptKeyFile.ts";
import { keyFileName } from "../lib/keyFileName.ts";
import { parseKeyInput } from "../lib/parseKeyInput.ts";
import type { NewKeyValue } from "./newKey.ts";
import { TextField } from "./TextField.tsx";
import { UnlockKeyFile } from "./UnlockKeyFile.tsx";

export type NewKeyPanelProps = {
  value: NewKeyValue;
  onChange: (value: NewKeyValue) => void;
  label: string;
  /** Called with the `label` of a loaded key file, so the form can take it over. */
  onLabel?: ((label: string) => void) | undefined;
  allowedAlgorithms: number;
  chainId: number;
  registry: Address;
  owner: Address;
  disabled?: boolean | undefined;
};

const firstLine = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

/**
 * Where the new key comes from: generated here (WebCrypto), with its private key
 * file saved once (encrypted under a passphrase, or in clear with a warning), or a
 * key made with the CLI (a loaded file, encrypted or not, or a pasted JWK).
 * A private key is never left on screen: pasted text holding one is cleared once read.
 */
export function NewKeyPanel({ value, onChange, label, onLabel, allowedAlgorithms, chainId, registry, owner, disabled }: NewKeyPanelProps) {
  const [generating, setGenerating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // An encrypted key file waiting for its passphrase (component state only: never in the URL or logged).
  const [locked, setLocked] = useState<{ file: unknown; keyId: string; name: string } | null>(null);
  const [loadedFrom, setLoadedFrom] = useState<string | null>(null);
  const allowed = algorithms.filter((alg) => allowedAlgorithms & (1 << algorithmToChain(alg)));
  const set = (patch: Partial<NewKeyValue>) => onChange({ ...value, ...patch });

  const generate = async () => {
    setGenerating(true);
    setError(null);
    try {
      // Ids are namespaced per owner: the key (and the file saved from it) carries the id it gets when this wallet registers it.
      set({ key: bindKeyId({ key: await generateKey({ alg: value.alg, label }), owner }), saved: false });
    } catch (e) {
      setError(firstLine(e));
    } finally {
      setGenerating(false);
    }
  };

  const acceptKey = (key: KeyFile, from: string, fileLabel: unknown) => {
    setLocked(null);
    setLoadedFrom(from);
    if (typeof fileLabel === "string" && fileLabel) onLabel?.(fileLabel);
    onChange({ ...value, importText: "", key: bindKeyId({ key, owner }), importError: undefined, locked: false, saved: true, alg: key.alg });
  };

  /** Reads a pasted text or a loaded file; `name` is the file's name, or null for pasted text. */
  const importKey = (text: string, name: string | null) => {
    setLocked(null);
    setLoadedFrom(null);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const from = name ?? "the pasted text";
    const fileLabel = json && typeof json === "object" ? (json as { label?: unknown }).label : undefined;
    if (isEncryptedKeyFile(json)) {
      const { encryptedPrivateKey: _, ...publicPart } = json as Record<string, unknown>;
      const parsed = parseKeyInput(JSON.stringify(publicPart), label);
      if (!parsed.ok) {
        onChange({ ...value, importText: name ? "" : text, key: null, importError: parsed.message, locked: false });
        return;
      }
      setLocked({ file: json, keyId: parsed.keyId, name: from });
      if (typeof fileLabel === "string" && fileLabel) onLabel?.(fileLabel);
      onChange({ ...value, importText: "", key: null, importError: undefined, locked: true, alg: parsed.alg });
      return;
    }
    const parsed = text.trim() ? parseKeyInput(text, label) : null;
    if (parsed?.ok) {
      if (parsed.hasPrivateKey || name) return acceptKey(parsed.key, from, fileLabel);
      if (typeof fileLabel === "string" && fileLabel) onLabel?.(fileLabel);
    }
    onChange({
      ...value,
      // Text holding a private key is never kept on screen, even when it does not parse as a key.
      importText: name || (json && typeof json === "object" && /"(d|privateKey)"\s*:/.test(text)) ? "" : text,
      key: parsed?.ok ? bindKeyId({ key: parsed.key, owner }) : null,
      importError: parsed && !parsed.ok ? (name ? `${name}: ${parsed.message}` : parsed.message) : undefined,
      locked: false,
      saved: true,
      alg: parsed?.ok ? parsed.alg : value.alg,
    });
  };

  return (
    <fieldset className="panel" disabled={disabled}>
      <legend>Key pair</legend>
      <div className="segmented" role="radiogroup" aria-label="Key source">
        {(["generate", "import"] as const).map((source) => (
          <label key={source} className={value.source === source ? "selected" : undefined}>
            <input
              type="radio"
              name="key-source"
              value={source}
              checked={value.source === source}
              onChange={() => {
                setLocked(null);
                setLoadedFrom(null);
                onChange({ ...value, source, key: null, saved: false, importText: "", importError: undefined, locked: false, proof: "" });
              }}
            />
            {source === "generate" ? "Generate in this browser" : "Use a key from the CLI"}
          </label>
        ))}
      </div>

      {value.source === "generate" ? (
        <>
          <div className="field">
            <label htmlFor="key-alg">Algorithm</label>
            <select
              id="key-alg"
              value={value.alg}
              onChange={(event) => set({ alg: event.target.value as Algorithm, key: null, saved: false })}
              disabled={Boolean(value.key)}
            >
              {allowed.map((alg) => (
                <option key={alg} value={alg}>
                  {algorithmLabel(alg)}
                  {alg === "ed25519" ? " (recommended)" : ""}
                </option>
              ))}
            </select>
          </div>
          {!value.key ? (
            <button type="button" className="secondary" onClick={generate} disabled={generating || !label.trim()}>
              {generating ? "Generating…" : "Generate key pair"}
            </button>
          ) : (
            <div className="generated" data-testid="generated-key">
              <p>
                Key id <code className="break">{value.key.keyId}</code>
              </p>
              {value.key.privateKey ? (
                <SaveKeyFile keyFile={{ ...value.key, label }} saved={value.saved} onSaved={() => set({ saved: true })} />
              ) : (
                <p className="note">The form has let go of the private key (only this tab's memory may still hold it, for Try it).</p>
              )}
              <button type="button" className="link" onClick={() => set({ key: null, saved: false })}>
                Discard and start over
              </button>
            </div>
          )}
          {error && <p className="field-error" role="alert">{error}</p>}
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="key-file">Key file</label>
            <input
              id="key-file"
              type="file"
              accept="application/json,.json"
              onChange={async (event) => {
                const input = event.target;
                const file = input.files?.[0];
                // Cleared at once, so choosing the same file again fires a change again.
                input.value = "";
                if (file) importKey(await file.text(), file.name);
              }}
            />
            <p className="hint">From `keyledger keygen`, encrypted (you will be asked for its passphrase) or plaintext.</p>
          </div>
          {locked && (
            <UnlockKeyFile
              file={locked.file}
              label="Key file passphrase"
              note={
                <>
                  {locked.name} is encrypted. Key id <code className="break">{locked.keyId}</code>. Enter its passphrase: it is used here to decrypt the key and is
                  never sent or stored.
                </>
              }
              onUnlocked={(key) => acceptKey(key, locked.name, key.label)}
            />
          )}
          <TextField
            label="…or paste the key file or a JWK"
            multiline
            rows={5}
            spellCheck={false}
            autoComplete="off"
            value={value.importText}
            onChange={(event) => importKey(event.target.value, null)}
            hint="A private key stays in this page's memory to sign the proof of possession; it is never sent, and pasted text holding one is cleared once read."
            error={value.importError}
          />
          {value.key && (
            <p data-testid="imported-key">
              {algorithmLabel(value.key.alg)} key <code className="break">{value.key.keyId}</code>
              {loadedFrom ? ` from ${loadedFrom}` : ""}
              {value.key.privateKey ? " (private key present: proof of possession is signed here, automatically)" : " (public key only)"}
            </p>
          )}
          {value.key && !value.key.privateKey && (
            <>
              <p className="hint">
                Sign these bytes with the key (Ed25519 over the bytes, ECDSA over their SHA-256 as 64-byte r‖s):
                <code className="break block">{toHex(proofOfPossessionMessage({ chainId, registry, owner, keyId: value.key.keyId }))}</code>
              </p>
              <TextField
                label="Proof of possession (hex)"
                value={value.proof}
                spellCheck={false}
                onChange={(event) => set({ proof: event.target.value })}
              />
            </>
          )}
        </>
      )}
    </fieldset>
  );
}

/** Saves a generated key: encrypted under a passphrase (the CLI's format), or in clear with the chmod warning. */
function SaveKeyFile({ keyFile, saved, onSaved }: { keyFile: KeyFile; saved: boolean; onSaved: () => void }) {
  const [passphrase, setPassphrase] = useState("");
  const [repeated, setRepeated] = useState("");
  const [tried, setTried] = useState(false);
  const [encrypting, setEncrypting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const problem = passphraseProblem(passphrase, repeated);
  const fileName = keyFileName(keyFile.label, keyFile.keyId);

  const saveEncrypted = async () => {
    setTried(true);
    if (problem) return;
    setEncrypting(true);
    setError(null);
    try {
      downloadJson(fileName, await encryptKeyFile({ key: keyFile, passphrase }));
      setPassphrase("");
      setRepeated("");
      setTried(false);
      onSaved();
    } catch (e) {
      setError(firstLine(e));
    } finally {
      setEncrypting(false);
    }
  };
  const enter = (event: React.KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void saveEncrypted();
    }
  };

  return (
    <div className="inline-form" data-testid="save-key-file">
      <p className={saved ? "note success" : "note warning"}>
        {saved
          ? "Private key file saved. Keep it safe: KeyLedger never stores it; after registration only this tab's memory keeps it (for Try it) until you forget it or reload."
          : "Save the private key file now. It is the only copy: it is never sent anywhere and cannot be shown again."}
      </p>
      <div className="field">
        <label htmlFor="save-passphrase">Passphrase for the key file</label>
        <input
          id="save-passphrase"
          type="password"
          // Right after "Generate key pair" (which goes away), the next step: the file's passphrase.
          autoFocus={!saved}
          autoComplete="new-password"
          value={passphrase}
          onChange={(event) => setPassphrase(event.target.value)}
          onKeyDown={enter}
          aria-describedby="save-passphrase-hint"
        />
        <p className="hint" id="save-passphrase-hint">
          At least 8 characters. The file is encrypted like `keyledger keygen` does (scrypt + AES-256-GCM); the CLI asks for this passphrase.
        </p>
      </div>
      <div className="field">
        <label htmlFor="save-passphrase-repeat">Repeat the passphrase</label>
        <input
          id="save-passphrase-repeat"
          type="password"
          autoComplete="new-password"
          value={repeated}
          onChange={(event) => setRepeated(event.target.value)}
          onKeyDown={enter}
          aria-invalid={tried && problem ? true : undefined}
          aria-describedby={tried && problem ? "save-passphrase-error" : undefined}
        />
        {tried && problem && (
          <p className="field-error" id="save-passphrase-error">
            {problem}
          </p>
        )}
      </div>
      <button type="button" className={saved ? "secondary" : "primary"} onClick={() => void saveEncrypted()} disabled={encrypting}>
        {encrypting ? "Encrypting…" : saved ? "Download encrypted file again" : "Save encrypted key file"}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <p className="hint">
        Or{" "}
        <button
          type="button"
          className="link"
          onClick={() => {
            downloadJson(fileName, keyFile);
            onSaved();
          }}
        >
          save it unencrypted
        </button>
        : the private key is then in clear; run <code>chmod 600 {fileName}</code> on it, since the CLI refuses a plaintext key file that others can read.
      </p>
    </div>
  );
}
