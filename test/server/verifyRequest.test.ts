import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { type ApiServer, createApiServer } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";

let api: ApiServer;
let key: KeyFile;

beforeAll(async () => {
  key = await generateKey({ label: "inspected" });
  const keys = staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: ["read"], label: key.label } });
  api = await createApiServer({
    verifier: createVerifier({ keys }),
    inspector: createVerifier({ keys, nonces: { checkAndStore: () => "stored" } }),
  });
});

afterAll(() => api?.close());

/** The request as it would travel on the wire (HTTP/1.1 text). */
async function rawSignedRequest(path: string, init: RequestInit = {}): Promise<string> {
  const signed = await signRequest(new Request(`${api.url}${path}`, init), { key });
  const url = new URL(signed.url);
  const body = signed.body ? await signed.text() : "";
  const lines = [`${signed.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  signed.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

const inspect = (text: string, query = "") =>
  fetch(`${api.url}/v1/verify-request${query}`, { method: "POST", headers: { "content-type": "text/plain" }, body: text });

describe("POST /v1/verify-request", () => {
  it("judges a pasted request without using up its nonce", async () => {
    const text = await rawSignedRequest("/v1/prices?pair=ETH-USD");
    for (let i = 0; i < 2; i++) {
      const response = await inspect(text, "?scopes=read");
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true, keyId: key.keyId, alg: "ed25519", label: "inspected" });
    }
    // The real API still accepts the request once: the inspection consumed nothing.
    const [head, body] = text.split("\r\n\r\n") as [string, string];
    const headers = head.split("\r\n").slice(1).map((line) => line.split(/: (.*)/s).slice(0, 2) as [string, string]);
    const real = await fetch(`${api.url}/v1/prices?pair=ETH-USD`, { headers: headers.filter(([n]) => n.toLowerCase() !== "host"), ...(body ? { body } : {}) });
    expect(real.status).toBe(200);
  });

  it("gives the rejection reason of a tampered or under-scoped request", async () => {
    const text = await rawSignedRequest("/v1/orders", { method: "POST", headers: { "content-type": "application/json" }, body: '{"qty":1}' });
    const tampered = text.replace('{"qty":1}', '{"qty":9}');
    expect(await (await inspect(tampered)).json()).toMatchObject({ ok: false, reason: "digest-mismatch" });
    expect(await (await inspect(text, "?scopes=trade")).json()).toMatchObject({ ok: false, reason: "insufficient-scope" });
  });

  it("answers 400 for text that is not an HTTP/1.1 request, and 405 for other methods", async () => {
    const bad = await inspect("hello there");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "malformed-raw-request" });
    const noHost = await inspect("GET /v1/prices HTTP/1.1\r\n\r\n");
    expect(noHost.status).toBe(400);
    expect((await fetch(`${api.url}/v1/verify-request`)).status).toBe(405);
    expect((await inspect("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "?scheme=ftp")).status).toBe(400);
  });

  it("is absent when no inspector is configured", async () => {
    const plain = await createApiServer({ verifier: createVerifier({ keys: staticKeyResolver({}) }) });
    try {
      const response = await fetch(`${plain.url}/v1/verify-request`, { method: "POST", body: "GET / HTTP/1.1\r\nHost: a\r\n\r\n" });
      expect(response.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
