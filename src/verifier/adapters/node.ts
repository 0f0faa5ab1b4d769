import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { normalizeAuthority } from "../../profile/message.ts";
import { InvalidVerifierOptionError } from "../errors.ts";
import type { NonceMode, Verifier, VerifyRequestInit, VerifyResult } from "../types.ts";

export { BodyReadError, BodyTooLargeError, readRawBody, type ReadRawBodyParameters } from "./readRawBody.ts";

export type ToVerifyRequestParameters = {
  request: IncomingMessage;
  /** The raw body bytes (see `readRawBody`). */
  body?: Uint8Array | string | undefined;
  /**
   * The public origin clients sign for, e.g. "https://api.example.com". Set it
   * behind a proxy that rewrites Host or terminates TLS, and to refuse requests
   * signed for another host. Default: the Host header and this socket's scheme.
   */
  origin?: string | undefined;
  /**
   * The request target as the client sent it. Default `request.url`; a framework
   * that rewrites `url` under a mount point must pass the original (Express:
   * `req.originalUrl`), since the signature covers the full path.
   */
  target?: string | undefined;
};

/**
 * The verifier's view of a Node request: method, absolute URL built from the raw
 * request target (no normalisation), the raw header lines, the body. Returns an
 * error string for a request no signature could match (bad Host, several Hosts,
 * an unusable request target).
 */
export function toVerifyRequest({ request, body, origin, target = request.url ?? "" }: ToVerifyRequestParameters): VerifyRequestInit | { error: string } {
  assertOrigin(origin);
  const raw = request.rawHeaders;
  const headers: [string, string][] = [];
  const hosts: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 0x3a) {
      // HTTP/2 pseudo-header: only :authority matters, as the Host.
      if (name === ":authority") hosts.push(raw[i + 1]!);
      continue;
    }
    if (name.length === 4 && name.toLowerCase() === "host") hosts.push(raw[i + 1]!);
    headers.push([name, raw[i + 1]!]);
  }
  let url: string;
  if (target.startsWith("/")) {
    let base = origin;
    if (base === undefined) {
      const scheme = (request.socket as TLSSocket | undefined)?.encrypted ? "https" : "http";
      // A Host that is not a plain host[:port] (e.g. "api.example.com/x") could move
      // part of the path into the authority: refuse it rather than concatenate.
      if (hosts.length !== 1 || normalizeAuthority(hosts[0]!, scheme) === undefined) {
        return { error: hosts.length === 1 ? "the Host header is not a valid host" : "the request needs exactly one Host header" };
      }
      base = `${scheme}://${hosts[0]}`;
    }
    url = base + target;
  } else if (/^https?:\/\//i.test(target)) {
    if (origin !== undefined) return { error: "absolute-form request targets are not accepted when an origin is set" };
    url = target;
  } else return { error: "the request target is neither a path nor an absolute URL" };
  return { method: request.method ?? "", url, headers, body };
}

export type VerifyNodeRequestParameters = ToVerifyRequestParameters & {
  verifier: Verifier;
  requiredScopes?: readonly string[] | undefined;
  /** This route's replay policy (see `NonceMode`). Default: the verifier's. */
  nonce?: NonceMode | undefined;
};

/** Verifies a Node `http` request whose raw body has been read. */
export async function verifyNodeRequest({ verifier, requiredScopes, nonce, ...rest }: VerifyNodeRequestParameters): Promise<VerifyResult> {
  const input = toVerifyRequest(rest);
  if ("error" in input) return { ok: false, reason: "malformed", message: `Malformed request: ${input.error}.` };
  return verifier.verify(input, { requiredScopes, nonce });
}

/** Checks an `origin` option: scheme and authority only. */
export function assertOrigin(origin: string | undefined): void {
  if (origin === undefined) return;
  const match = typeof origin === "string" ? /^(https?):\/\/([^/?#]+)$/i.exec(origin) : null;
  if (!match || normalizeAuthority(match[2]!, match[1]!.toLowerCase()) === undefined) {
    throw new InvalidVerifierOptionError(`Invalid origin "${String(origin)}": expected scheme://host[:port], e.g. https://api.example.com.`);
  }
}
