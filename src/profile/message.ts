/**
 * An HTTP message reduced to what signature components are derived from. Request
 * parts are kept exactly as received (no dot-segment or percent-encoding
 * normalisation), so the signed path is the path the router sees.
 */
export type HttpMessage = {
  /** Requests only. */
  method?: string | undefined;
  /** Lowercase, e.g. "https". */
  scheme?: string | undefined;
  /** Lowercase host, default port removed (RFC 9110 §4.2.3). */
  authority?: string | undefined;
  /** Raw absolute path, "/" when empty. */
  path?: string | undefined;
  /** Raw query including its "?", or "" when the URL has none. */
  query?: string | undefined;
  /** Responses only. */
  status?: number | undefined;
  /** Field lines by lowercase name, each trimmed, in order of appearance. */
  fields: ReadonlyMap<string, readonly string[]>;
};

export type MessageHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | readonly (readonly [string, string])[];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type RequestTarget = { scheme: string; authority: string; path: string; query: string };

const schemePattern = /^[a-z][a-z0-9+.-]*$/;
const hostPattern = /^[a-z0-9.-]+$/;
const ipv6Pattern = /^\[[0-9a-f:.]+\]$/;
const portPattern = /^[0-9]{1,5}$/;
// Visible ASCII only: a space or control character in a path or query never reaches
// a conforming server, and would let a value spill across signature-base lines.
const targetPattern = /^[\x21-\x7e]*$/;
const defaultPorts: Record<string, string> = { http: "80", https: "443" };

/** Splits an absolute URL into the parts RFC 9421 derives components from, without normalising them. */
export function parseRequestTarget(url: string): ParseResult<RequestTarget> {
  if (typeof url !== "string") return { ok: false, error: "the request URL is not a string" };
  const schemeEnd = url.indexOf("://");
  if (schemeEnd <= 0) return { ok: false, error: "the request URL is not absolute" };
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (!schemePattern.test(scheme)) return { ok: false, error: "the request URL has an invalid scheme" };
  const start = schemeEnd + 3;
  let end = start;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break; // / ? #
    end++;
  }
  const authority = normalizeAuthority(url.slice(start, end), scheme);
  if (authority === undefined) return { ok: false, error: "the request URL has an invalid authority" };
  let hash = url.indexOf("#", end);
  if (hash === -1) hash = url.length;
  let queryStart = url.indexOf("?", end);
  if (queryStart === -1 || queryStart > hash) queryStart = hash;
  const path = queryStart === end ? "/" : url.slice(end, queryStart);
  const query = url.slice(queryStart, hash);
  if (!targetPattern.test(path) || !targetPattern.test(query)) {
    return { ok: false, error: "the request URL contains a space or control character" };
  }
  return { ok: true, value: { scheme, authority, path, query } };
}

/**
 * Lowercases the host and drops the scheme's default port. Accepts DNS names,
 * IPv4 and bracketed IPv6 only: no userinfo, nothing that could move part of the
 * host into the path.
 */
export function normalizeAuthority(raw: string, scheme: string): string | undefined {
  const value = raw.toLowerCase();
  let host = value;
  let port = "";
  const colon = value.lastIndexOf(":");
  if (colon !== -1 && colon > value.lastIndexOf("]")) {
    host = value.slice(0, colon);
    port = value.slice(colon + 1);
    if (port !== "" && !portPattern.test(port)) return undefined;
  }
  if (host === "" || !(hostPattern.test(host) || ipv6Pattern.test(host))) return undefined;
  if (port === "" || port === defaultPorts[scheme]) return host;
  return `${host}:${port}`;
}

const fieldNamePattern = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Field lines by lowercase name. Each line is trimmed of surrounding spaces and
 * tabs (RFC 9421 §2.1); WHATWG Headers has already combined repeated lines.
 */
export function collectFields(headers: MessageHeaders): ParseResult<Map<string, string[]>> {
  const fields = new Map<string, string[]>();
  let error: string | undefined;
  if (headers instanceof Headers) {
    // Headers joins repeated lines except Set-Cookie; joining is what RFC 9421 does too.
    for (const [name, value] of headers) if ((error = addField(fields, name, value))) break;
  } else if (Array.isArray(headers)) {
    for (const pair of headers as readonly (readonly [string, string])[]) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        error = "a header entry is not a [name, value] pair";
        break;
      }
      if ((error = addField(fields, pair[0], pair[1]))) break;
    }
  } else if (headers && typeof headers === "object") {
    for (const name in headers) {
      const value = (headers as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const v of value) if ((error = addField(fields, name, v))) break;
      } else error = addField(fields, name, value);
      if (error) break;
    }
  } else error = "the request headers are missing";
  return error ? { ok: false, error } : { ok: true, value: fields };
}

// Names already lowercase and valid, so that the usual few are not lowercased and
// matched against the pattern on every request; bounded, as names are the sender's.
const checkedNames = new Set<string>();
const maxCheckedNames = 256;

function addField(fields: Map<string, string[]>, name: unknown, value: unknown): string | undefined {
  if (typeof name !== "string") return "a header name is not a string";
  let lower = name;
  if (!checkedNames.has(name)) {
    lower = name.toLowerCase();
    if (!fieldNamePattern.test(lower)) return "a header name is not a token";
    if (lower === name && checkedNames.size < maxCheckedNames) checkedNames.add(name);
  }
  if (typeof value !== "string") return `header ${lower} has a non-string value`;
  const line = trimOws(value);
  const lines = fields.get(lower);
  if (lines) lines.push(line);
  else fields.set(lower, [line]);
  return undefined;
}

function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
