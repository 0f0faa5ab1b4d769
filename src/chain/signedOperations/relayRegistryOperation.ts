import type { Address, Hash, Hex } from "viem";
import { RelayError } from "./RelayError.ts";
import type { RegistryOperationName, RelayPayload } from "./types.ts";

export type RelayRegistryOperationParameters = {
  /** The relaying API's base URL (`http://127.0.0.1:8787`) or its full `/v1/relay` URL. */
  relayUrl: string;
  /** A signed operation (`signRegistryOperation`, or the same JSON made elsewhere). */
  payload: RelayPayload;
  /** Default the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Give up waiting for the relayer after this long (default 120 s: it waits for the transaction to be mined). */
  timeoutMs?: number | undefined;
};

export type RelayRegistryOperationReturnType = {
  operation: RegistryOperationName;
  owner: Address;
  /** The nonce the operation used. */
  nonce: string;
  transactionHash: Hash;
  /** `mined`: included and successful; `pending`: sent, not mined within the relayer's wait (poll the hash). */
  status: "mined" | "pending";
  blockNumber?: number | undefined;
  /** register: the new key's id; rotate: the new version's id. */
  keyId?: Hex | undefined;
};

/** `POST /v1/relay` URL for a base URL or the endpoint itself. */
function endpoint(relayUrl: string): string {
  const url = new URL(relayUrl);
  if (!url.pathname.endsWith("/v1/relay")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/relay`;
  return url.toString();
}

/**
 * Submits a signed registry operation through a KeyLedger relayer (`POST /v1/relay`) and
 * returns its transaction hash once mined (or pending). A refusal throws `RelayError`
 * whose `code` is the relayer's (`nonce-used`, `rate-limited`, or the registry's custom
 * error the relayer's simulation hit, like `SignatureExpired` or `InvalidSignature`).
 */
export async function relayRegistryOperation({ relayUrl, payload, fetch = globalThis.fetch, timeoutMs = 120_000 }: RelayRegistryOperationParameters): Promise<RelayRegistryOperationReturnType> {
  const url = endpoint(relayUrl);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (cause) {
    throw new RelayError(`Cannot reach the relayer at ${new URL(url).origin}: ${(cause as Error).message}`, { code: "relay-unreachable", status: 0, cause });
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): reported below with the status.
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after") ?? body.retryAfterSeconds);
    throw new RelayError(typeof body.message === "string" ? body.message : `The relayer answered HTTP ${response.status}.`, {
      code: typeof body.error === "string" ? body.error : `http-${response.status}`,
      status: response.status,
      field: typeof body.field === "string" ? body.field : undefined,
      args: Array.isArray(body.args) ? body.args.map(String) : undefined,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
    });
  }
  if (typeof body.transactionHash !== "string" || (body.status !== "mined" && body.status !== "pending")) {
    throw new RelayError(`The relayer answered HTTP ${response.status} without a transaction hash.`, { code: "invalid-answer", status: response.status });
  }
  return {
    operation: body.operation as RegistryOperationName,
    owner: body.owner as Address,
    nonce: String(body.nonce),
    transactionHash: body.transactionHash as Hash,
    status: body.status,
    ...(typeof body.blockNumber === "number" ? { blockNumber: body.blockNumber } : {}),
    ...(typeof body.keyId === "string" ? { keyId: body.keyId as Hex } : {}),
  };
}
