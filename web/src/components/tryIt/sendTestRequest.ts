import type { KeyFile } from "../../../../src/keys/types.ts";
import { signRequest } from "../../../../src/signer/signRequest.ts";
import { verifierReasons } from "../../../../src/verifier/reasons.ts";
import { verdictReason } from "../../lib/verdictReason.ts";

/** The reference API's two routes: a read and a trade (src/server/createApiServer.ts). */
export const testRoutes = {
  prices: { method: "GET", path: "/v1/prices", scope: "read", body: undefined, title: "GET /v1/prices (needs read)" },
  order: {
    method: "POST",
    path: "/v1/orders",
    scope: "trade",
    // A small limit order: the reference API accepts it and places nothing anywhere.
    body: JSON.stringify({ symbol: "ETH-USD", side: "buy", qty: 0.01, price: 1 }),
    title: "POST /v1/orders, a small test order (needs trade)",
  },
} as const;

export type TestRoute = keyof typeof testRoutes;

export type TestVerdict = {
  status: number;
  accepted: boolean;
  /** The API's reason code (`error`), e.g. "key-revoked"; absent when accepted. */
  reason?: string | undefined;
  /** What the reason code means (the verifier's own description). */
  explanation?: string | undefined;
  /** The verifier's message for this request. */
  message?: string | undefined;
  /** What an accepted request got back, in a few words. */
  summary?: string | undefined;
  /** The URL the request was signed for. */
  signedFor: string;
};

export type SendTestRequestParameters = {
  key: KeyFile;
  route: TestRoute;
  /** Where the page sends the request (the dApp server's `/api` proxy). */
  apiUrl: string;
  /** The URL the API judges the request as (see Runtime.apiSigningUrl). */
  signingUrl: string;
  fetch?: typeof fetch | undefined;
};

/**
 * Signs a test request with the project's signer (RFC 9421, KeyLedger profile) and
 * sends it to the reference API: the verdict is the API's, status and reason code.
 *
 * `signRequest` rather than `createSignedFetch`: the latter refuses a key whose
 * file says it has expired, and seeing the API refuse it is the point of a test.
 * The request is signed for `signingUrl` and sent to `apiUrl`: the proxy between
 * them changes the path and Host to exactly what was signed.
 */
export async function sendTestRequest({ key, route, apiUrl, signingUrl, fetch: fetchFn = (...args) => fetch(...args) }: SendTestRequestParameters): Promise<TestVerdict> {
  const { method, path, body } = testRoutes[route];
  const signedFor = `${signingUrl}${path}`;
  const signed = await signRequest(
    { method, url: signedFor, headers: body ? { "content-type": "application/json" } : {}, body },
    { key },
  );
  const response = await fetchFn(`${apiUrl}${path}`, {
    method,
    headers: signed.headers as Record<string, string>,
    body,
    cache: "no-store",
    credentials: "omit",
  });
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok) return { status: response.status, accepted: true, summary: summarize(json), signedFor };
  const reason = typeof json?.error === "string" ? json.error : undefined;
  return {
    status: response.status,
    accepted: false,
    reason,
    // Route errors (415, 400 invalid-order) are the API's, not the verifier's: no description.
    explanation: reason && reason in verifierReasons ? verdictReason(reason) : undefined,
    message: typeof json?.message === "string" ? json.message : `The API answered ${response.status} without a reason.`,
    signedFor,
  };
}

function summarize(json: Record<string, unknown> | null): string | undefined {
  if (Array.isArray(json?.prices)) return `${json.prices.length} prices`;
  if (typeof json?.orderId === "string") return `order ${json.orderId} ${String(json.status ?? "")}`.trim();
  return undefined;
}
