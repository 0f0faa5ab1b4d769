import { useId, useState } from "react";
import type { Hex } from "viem";
import { forgetKey, heldKey, holdKey, useHeldKey } from "../../lib/heldKeys.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { LoadSigningKey } from "./LoadSigningKey.tsx";
import { sendTestRequest, type TestRoute, testRoutes, type TestVerdict } from "./sendTestRequest.ts";

export type TryItPanelProps = {
  keyId: Hex;
  /** How the page names the key, e.g. "trading-bot v2". */
  name: string;
  /** The key's scope names: the first test offered is one the key may pass. */
  scopes: readonly string[];
  onClose?: (() => void) | undefined;
  fetch?: typeof fetch | undefined;
};

/**
 * "Try it": a request signed in the page with the key's private key, sent to the
 * reference API, and the API's verdict — status, reason code and the verifier's
 * explanation. The private key comes from the page's memory (a key registered or
 * rotated here, or a key file loaded below) and never leaves it.
 */
export default function TryItPanel({ keyId, name, scopes, onClose, fetch: fetchFn }: TryItPanelProps) {
  const { runtime } = useRuntime();
  const id = useId();
  const key = useHeldKey(keyId);
  const [route, setRoute] = useState<TestRoute>(scopes.includes("trade") && !scopes.includes("read") ? "order" : "prices");
  const [sending, setSending] = useState(false);
  const [verdict, setVerdict] = useState<TestVerdict | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const send = async () => {
    const signingKey = heldKey(keyId);
    if (!signingKey || !runtime.apiUrl || !runtime.apiSigningUrl) return;
    setSending(true);
    setVerdict(null);
    setFailure(null);
    try {
      setVerdict(await sendTestRequest({ key: signingKey, route, apiUrl: runtime.apiUrl, signingUrl: runtime.apiSigningUrl, fetch: fetchFn }));
    } catch (error) {
      // Only the first line: a signer error never carries key material, but a stack is noise here.
      setFailure(error instanceof TypeError ? "The reference API is not reachable." : error instanceof Error ? error.message.split("\n")[0]! : String(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="panel try-it" aria-labelledby={`${id}-title`} data-testid="try-it" data-key-id={keyId}>
      <div className="card-head">
        <h3 id={`${id}-title`}>Try it: {name}</h3>
        {onClose && (
          <button type="button" className="link" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      {!runtime.apiUrl ? (
        <p className="note warning">No reference API is configured for this page, so there is nothing to send a test request to.</p>
      ) : (
        <>
          {key ? (
            <p className="note" data-testid="try-key-held">
              Signing with the private key held in this tab for this key. It is never sent or stored.{" "}
              <button type="button" className="link" onClick={() => forgetKey(keyId)} data-testid="try-forget">
                Forget it
              </button>
            </p>
          ) : (
            <LoadSigningKey keyId={keyId} onLoaded={holdKey} />
          )}
          <div className="segmented wrap" role="radiogroup" aria-label="Test request">
            {(Object.keys(testRoutes) as TestRoute[]).map((r) => (
              <label key={r} className={route === r ? "selected" : undefined}>
                <input type="radio" name={`${id}-route`} value={r} checked={route === r} onChange={() => setRoute(r)} />
                {testRoutes[r].title}
              </label>
            ))}
          </div>
          <div className="actions">
            <button type="button" className="primary" disabled={!key || sending} onClick={() => void send()} data-testid="try-send">
              {sending ? "Sending…" : "Send signed request"}
            </button>
          </div>
          <div role="status" aria-live="polite">
            {verdict && (
              <div className={`note ${verdict.accepted ? "success" : "error"}`} data-testid="try-verdict" data-status={verdict.status} data-reason={verdict.reason ?? (verdict.accepted ? "accepted" : "")}>
                <p>
                  <strong>
                    {verdict.accepted ? "Accepted" : "Rejected"}: HTTP {verdict.status}
                    {verdict.reason && (
                      <>
                        {" "}
                        <code>{verdict.reason}</code>
                      </>
                    )}
                  </strong>
                  {verdict.summary && <> ({verdict.summary})</>}
                </p>
                {verdict.explanation && <p>{verdict.explanation}</p>}
                {verdict.message && <p className="muted">The verifier says: {verdict.message}</p>}
                <p className="hint">
                  Signed for <code className="break">{verdict.signedFor}</code> (what the API sees behind this page's <code>/api</code> proxy).
                </p>
              </div>
            )}
            {failure && (
              <p className="note error" data-testid="try-failure">
                {failure}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
