import { readFileSync } from "node:fs";
import { BaseError } from "../../errors/BaseError.ts";
import { signRequest } from "../../signer/index.ts";
import { CliError, usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadKeyFile } from "../keyFile.ts";

export const request: Command = {
  name: "request",
  summary: "send an HTTP request signed with a key file (RFC 9421, KeyLedger profile), like curl",
  usage: ["request <url> --key <keyfile> [-X <method>] [-H 'Name: value']... [-d <body> | -d @file | -d @-] [-i]"],
  description: [
    "Signs @method, @authority, @path, @query (when present) and Content-Digest (when there is",
    "a body) with a fresh nonce. Prints the status line and the body; exit code 0 for a 2xx",
    "answer, 1 for any other status, 3 when the server cannot be reached.",
  ],
  options: {
    key: { type: "string", value: "<keyfile>", description: "key file with the private key" },
    request: { type: "string", short: "X", value: "<method>", description: "HTTP method (default GET, or POST with a body)" },
    header: { type: "string", short: "H", multiple: true, value: "<'Name: value'>", description: "extra request header" },
    data: { type: "string", short: "d", value: "<body>", description: "request body; @file reads a file, @- reads stdin" },
    include: { type: "boolean", short: "i", description: "also print the response headers" },
  },
  groups: [],
  maxPositionals: 1,
  examples: [
    "keyledger request http://127.0.0.1:8787/v1/prices --key bot.key.json",
    "keyledger request http://127.0.0.1:8787/v1/orders --key bot.key.json -d '{\"symbol\":\"ETH-USD\",\"side\":\"buy\",\"qty\":1}'",
  ],
  async run({ values, positionals, out }) {
    const url = positionals[0];
    if (!url) throw usageError("request: give the URL to call.");
    try {
      new URL(url);
    } catch {
      throw usageError(`request: "${url}" is not an absolute URL.`);
    }
    const key = await loadKeyFile({ path: requireString(values, "key", "request"), needPrivateKey: true });
    const data = typeof values.data === "string" ? values.data : undefined;
    const body = data === undefined ? undefined : data === "@-" ? readFileSync(0, "utf8") : data.startsWith("@") ? readFile(data.slice(1)) : data;
    const method = (typeof values.request === "string" ? values.request : body === undefined ? "GET" : "POST").toUpperCase();
    const headers: [string, string][] = [];
    for (const line of Array.isArray(values.header) ? values.header : []) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw usageError(`request: header "${line}" is not "Name: value".`);
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    if (body !== undefined && !headers.some(([n]) => n.toLowerCase() === "content-type")) {
      headers.push(["Content-Type", isJson(body) ? "application/json" : "application/octet-stream"]);
    }
    let signed: { headers?: unknown };
    try {
      signed = await signRequest({ method, url, headers, body }, { key });
    } catch (error) {
      throw usageError(`request: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers: signed.headers as [string, string][], body, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`Cannot reach ${new URL(url).origin}: ${cause}.`, { exitCode: exitCodes.network, code: "http-unreachable" });
    }
    const text = await response.text();
    const responseHeaders = Object.fromEntries(response.headers);
    let parsed: unknown = text;
    if (/json/i.test(response.headers.get("content-type") ?? "")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    out.result(
      [
        `HTTP ${response.status} ${response.statusText}`,
        ...(values.include ? Object.entries(responseHeaders).map(([n, v]) => `${n}: ${v}`) : []),
        ...(values.include ? [""] : []),
        text,
      ],
      { status: response.status, keyId: key.keyId, ...(values.include ? { headers: responseHeaders } : {}), body: parsed },
    );
    return response.ok ? exitCodes.ok : exitCodes.rejected;
  },
};

function readFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw usageError(`request: cannot read body file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
