import { BaseError } from "../errors/BaseError.ts";

export type RawRequest = { method: string; target: string; headers: [string, string][]; body: Uint8Array | undefined };

/**
 * Parses an HTTP/1.1 request as captured on the wire (request line, header
 * lines, blank line, body), tolerating bare LF line ends from hand-written files.
 * The body is Content-Length bytes when that header is present, else the rest.
 */
export function parseRawRequest(bytes: Uint8Array): RawRequest {
  const text = Buffer.from(bytes).toString("latin1");
  const match = /\r?\n\r?\n/.exec(text);
  const head = match ? text.slice(0, match.index) : text;
  const bodyStart = match ? match.index + match[0].length : text.length;
  const [requestLine = "", ...lines] = head.split(/\r?\n/);
  const parts = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine.trim());
  if (!parts) throw new RawRequestError(`"${requestLine.slice(0, 80)}" is not an HTTP/1.1 request line (METHOD target HTTP/1.1).`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length) {
      // Obsolete line folding: the value continues.
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new RawRequestError(`header line "${line.slice(0, 80)}" has no name.`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  if (headers.some(([n, v]) => n.toLowerCase() === "transfer-encoding" && v.toLowerCase() !== "identity")) {
    throw new RawRequestError("chunked bodies are not supported; give the request with a Content-Length.");
  }
  let body: Uint8Array | undefined = bytes.subarray(bodyStart);
  const length = headers.find(([n]) => n.toLowerCase() === "content-length")?.[1];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw new RawRequestError(`Content-Length "${length}" is not a number.`);
    if (Number(length) > body.length) throw new RawRequestError(`the body is shorter (${body.length} bytes) than its Content-Length (${length}).`);
    body = body.subarray(0, Number(length));
  }
  return { method: parts[1]!, target: parts[2]!, headers, body: body.length ? body : undefined };
}

/** The text is not an HTTP/1.1 request KeyLedger can judge. */
export class RawRequestError extends BaseError {
  override name = "RawRequestError";
}

export type RawRequestToUrlParameters = { raw: RawRequest; scheme?: "http" | "https" | undefined };

/** The absolute URL of a raw request: its absolute-form target, or scheme + Host + origin-form target. */
export function rawRequestUrl({ raw, scheme = "https" }: RawRequestToUrlParameters): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.target)) return raw.target;
  const hosts = raw.headers.filter(([name]) => name.toLowerCase() === "host");
  if (hosts.length !== 1 || !raw.target.startsWith("/")) {
    throw new RawRequestError("The request needs exactly one Host header and an origin-form target (/path?query).");
  }
  return `${scheme}://${hosts[0]![1]}${raw.target}`;
}
