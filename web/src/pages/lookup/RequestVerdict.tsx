import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { keyStatusAt } from "../../chain/keyStatusAt.ts";
import { useChainSnapshot } from "../../chain/useChainSnapshot.ts";
import { KeyIdLink } from "../../components/KeyIdLink.tsx";
import { TextField } from "../../components/TextField.tsx";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { parseKeyId } from "../../lib/parseKeyId.ts";
import { parseRawRequest } from "../../lib/parseRawRequest.ts";
import { signatureSummary } from "../../lib/signatureSummary.ts";
import { verdictReason } from "../../lib/verdictReason.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

type Verdict =
  | { source: "api"; ok: true; keyId?: string; label?: string; version?: number; scopes?: string[] }
  | { source: "api"; ok: false; reason: string; message?: string }
  | { source: "none"; why: string };

/**
 * "Is this request acceptable?" The reference API's verifier decides (the
 * browser cannot check a signature the way the verifier does); the page adds
 * what the signature claims and what the chain says about its key.
 */
export function RequestVerdict() {
  const { runtime } = useRuntime();
  const snapshot = useChainSnapshot();
  const [raw, setRaw] = useState("");
  const verify = useMutation({
    mutationFn: async (text: string): Promise<Verdict> => {
      if (!runtime.apiUrl) return { source: "none", why: "No reference API is configured for this page." };
      if (!runtime.verifyRequest) return { source: "none", why: "The reference API has no verify endpoint." };
      let response: Response;
      try {
        response = await fetch(`${runtime.apiUrl}/v1/verify-request`, { method: "POST", headers: { "content-type": "text/plain" }, body: text });
      } catch {
        return { source: "none", why: "The reference API is not reachable." };
      }
      if (response.status === 404) return { source: "none", why: "The reference API has no verify endpoint." };
      const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
      if (!body) return { source: "none", why: `The reference API answered ${response.status} without JSON.` };
      if (body.ok === true) return { source: "api", ok: true, ...(body as object) };
      return { source: "api", ok: false, reason: String(body.reason ?? body.error ?? "malformed"), message: typeof body.message === "string" ? body.message : undefined };
    },
  });
  const parsed = raw.trim() ? parseRawRequest(raw) : null;
  const summary = parsed?.ok ? signatureSummary(parsed.request) : null;
  const verdict = verify.data;

  return (
    <section className="card" aria-labelledby="verdict-title">
      <h2 id="verdict-title">A signed request</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (parsed?.ok) verify.mutate(raw);
        }}
      >
        <TextField
          label="Raw HTTP request"
          name="raw-request"
          multiline
          rows={8}
          spellCheck={false}
          value={raw}
          placeholder={"POST /v1/orders HTTP/1.1\nHost: api.example\nContent-Digest: sha-256=:…:\nSignature-Input: sig1=(…);keyid=\"0x…\";created=…;nonce=\"…\"\nSignature: sig1=:…:\n\n{\"pair\":\"ETH-USD\"}"}
          onChange={(event) => {
            setRaw(event.target.value);
            verify.reset();
          }}
          error={parsed && !parsed.ok ? parsed.message : undefined}
          hint="The verdict comes from the reference API's verifier; nothing is signed or stored."
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={!parsed?.ok || verify.isPending}>
            {verify.isPending ? "Checking…" : "Check request"}
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {verdict?.source === "api" && verdict.ok && (
          <div className="note success" data-testid="verdict" data-verdict="accepted">
            <p><strong>Accepted.</strong> A registered, valid key signed this request.</p>
          </div>
        )}
        {verdict?.source === "api" && !verdict.ok && (
          <div className="note error" data-testid="verdict" data-verdict={verdict.reason}>
            <p><strong>Rejected: {verdict.reason}.</strong> {verdictReason(verdict.reason)}</p>
            {verdict.message && <p className="muted">{verdict.message}</p>}
          </div>
        )}
        {verdict?.source === "none" && (
          <p className="note warning" data-testid="verdict" data-verdict="unavailable">
            No verdict: {verdict.why} Below is what the signature claims; the signature itself was not checked.
          </p>
        )}
      </div>
      {summary && !summary.ok && <p className="note error">{summary.message}</p>}
      {summary?.ok &&
        summary.signatures.map((s) => {
          const keyId = s.keyId ? parseKeyId(s.keyId) : null;
          const key = keyId ? snapshot.data?.registry.keys.get(keyId) : undefined;
          const status = key && snapshot.data ? keyStatusAt(key, snapshot.data.head.timestamp).status : undefined;
          return (
            <dl className="record compact" key={s.label}>
              <dt>Signature</dt>
              <dd>{s.label}</dd>
              <dt>Key</dt>
              <dd>
                {keyId ? <KeyIdLink keyId={keyId} /> : s.keyId ?? "missing"}{" "}
                {keyId && (key ? `(${key.label} v${key.version}, ${status} on chain)` : "(not registered)")}
              </dd>
              <dt>Covers</dt>
              <dd>{s.components.join(" ") || "nothing"}</dd>
              <dt>Created</dt>
              <dd>{s.created !== undefined ? formatDateTime(s.created) : "missing"}</dd>
              {s.expires !== undefined && (
                <>
                  <dt>Expires</dt>
                  <dd>{formatDateTime(s.expires)}</dd>
                </>
              )}
              <dt>Nonce</dt>
              <dd>{s.nonce ?? "missing"}</dd>
            </dl>
          );
        })}
    </section>
  );
}
