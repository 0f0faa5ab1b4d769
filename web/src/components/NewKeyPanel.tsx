import { useState } from "react";
import type { Address } from "viem";
import { type Algorithm, algorithms, algorithmToChain } from "../../../src/keys/algorithms.ts";
import { generateKey } from "../../../src/keys/generateKey.ts";
import { proofOfPossessionMessage } from "../../../src/keys/proofOfPossession.ts";
import { toHex } from "viem";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { downloadJson } from "../lib/downloadJson.ts";
import { keyFileName } from "../lib/keyFileName.ts";
import { parseKeyInput } from "../lib/parseKeyInput.ts";
import type { NewKeyValue } from "./newKey.ts";
import { TextField } from "./TextField.tsx";

export type NewKeyPanelProps = {
  value: NewKeyValue;
  onChange: (value: NewKeyValue) => void;
  label: string;
  allowedAlgorithms: number;
  chainId: number;
  registry: Address;
  owner: Address;
  disabled?: boolean | undefined;
};

/**
 * Where the new key comes from: generated here (WebCrypto), with its private key
 * file saved once, or a key made with the CLI (loaded file or pasted JWK).
 */
export function NewKeyPanel({ value, onChange, label, allowedAlgorithms, chainId, registry, owner, disabled }: NewKeyPanelProps) {
  const [generating, setGenerating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = algorithms.filter((alg) => allowedAlgorithms & (1 << algorithmToChain(alg)));
  const set = (patch: Partial<NewKeyValue>) => onChange({ ...value, ...patch });

  const generate = async () => {
    setGenerating(true);
    setError(null);
    try {
      set({ key: await generateKey({ alg: value.alg, label }), saved: false });
    } catch (e) {
      setError(e instanceof Error ? e.message.split("\n")[0]! : String(e));
    } finally {
      setGenerating(false);
    }
  };

  const importKey = (text: string) => {
    const parsed = text.trim() ? parseKeyInput(text, label) : null;
    set({
      importText: text,
      key: parsed?.ok ? parsed.key : null,
      importError: parsed && !parsed.ok ? parsed.message : undefined,
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
              onChange={() => onChange({ ...value, source, key: null, saved: false, importText: "", importError: undefined, proof: "" })}
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
                <>
                  <p className={value.saved ? "note success" : "note warning"}>
                    {value.saved
                      ? "Private key file saved. Keep it safe: KeyLedger never stores it, and this page forgets it after registration."
                      : "Save the private key file now. It is the only copy: it is never sent anywhere and cannot be shown again."}
                  </p>
                  <button
                    type="button"
                    className={value.saved ? "secondary" : "primary"}
                    onClick={() => {
                      downloadJson(keyFileName(label, value.key!.keyId), { ...value.key!, label });
                      set({ saved: true });
                    }}
                  >
                    {value.saved ? "Download again" : "Save private key file"}
                  </button>
                </>
              ) : (
                <p className="note">The private key was forgotten after use.</p>
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
                const file = event.target.files?.[0];
                if (file) importKey(await file.text());
              }}
            />
          </div>
          <TextField
            label="…or paste the key file or a JWK"
            multiline
            rows={5}
            spellCheck={false}
            value={value.importText}
            onChange={(event) => importKey(event.target.value)}
            hint="From `keyledger keygen`. A private key stays in this page's memory to sign the proof of possession; it is never sent."
            error={value.importError}
          />
          {value.key && (
            <p>
              {algorithmLabel(value.key.alg)} key <code className="break">{value.key.keyId}</code>
              {value.key.privateKey ? " (private key present: proof of possession is automatic)" : " (public key only)"}
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
