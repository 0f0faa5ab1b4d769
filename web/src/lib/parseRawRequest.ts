export type RawRequest = {
  method: string;
  target: string;
  headers: [name: string, value: string][];
  body: string;
};

export type ParseRawRequestReturnType = { ok: true; request: RawRequest } | { ok: false; message: string };

/**
 * Splits a pasted HTTP/1.1 request ("POST /v1/orders HTTP/1.1", headers, blank
 * line, body) into parts, tolerating \n line ends from copy and paste.
 */
export function parseRawRequest(text: string): ParseRawRequestReturnType {
  const normalized = text.replace(/\r\n/g, "\n").replace(/^\s*\n/, "");
  const headEnd = normalized.indexOf("\n\n");
  const head = (headEnd === -1 ? normalized : normalized.slice(0, headEnd)).replace(/\n+$/, "");
  const body = headEnd === -1 ? "" : normalized.slice(headEnd + 2);
  const [requestLine = "", ...headerLines] = head.split("\n");
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?\s*$/.exec(requestLine.trim());
  if (!m) return { ok: false, message: 'The first line must be a request line such as "GET /v1/prices HTTP/1.1".' };
  const headers: [string, string][] = [];
  for (const line of headerLines) {
    if (/^[ \t]/.test(line) && headers.length) {
      // Obsolete line folding: continue the previous header's value.
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, message: `"${line.slice(0, 40)}" is not a header line (name: value).` };
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { ok: true, request: { method: m[1]!, target: m[2]!, headers, body } };
}
