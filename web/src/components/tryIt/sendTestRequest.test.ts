// sendTestRequest against a real reference API (Node: the API's server and the
// verifier's byte checks run in this realm, not jsdom's), through a stand-in for the
// dApp server's /api proxy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../../../src/keys/index.ts";
import { type ApiServer, createApiServer } from "../../../../src/server/createApiServer.ts";
import { createVerifier, staticKeyResolver } from "../../../../src/verifier/index.ts";
import { sendTestRequest } from "./sendTestRequest.ts";

let api: ApiServer;
let reader: KeyFile;
let trader: KeyFile;
let revoked: KeyFile;
const page = "http://dapp.test/api";
const seen: { path: string; host: string }[] = [];

// The dApp server's proxy: /api/<path> goes to the API as <path>, with the API's Host.
const proxy: typeof fetch = async (input, init) => {
  const url = String(input);
  if (!url.startsWith(page)) throw new TypeError("fetch failed");
  const target = new URL(`${api.url}${url.slice(page.length)}`);
  seen.push({ path: target.pathname, host: target.host });
  return fetch(target, init);
};

beforeAll(async () => {
  [reader, trader, revoked] = await Promise.all([generateKey({ label: "reader" }), generateKey({ alg: "ecdsa-p256-sha256", label: "trader" }), generateKey({ label: "gone" })]);
  const entry = (key: KeyFile, scopes: string[], extra: object = {}) => ({ alg: key.alg, publicKey: key.publicKey, scopes, label: key.label, ...extra });
  const keys = staticKeyResolver({
    [reader.keyId]: entry(reader, ["read"]),
    [trader.keyId]: entry(trader, ["read", "trade"]),
    [revoked.keyId]: entry(revoked, ["read"], { state: "revoked" }),
  });
  api = await createApiServer({ verifier: createVerifier({ keys }) });
});

afterAll(() => api?.close());

describe("sendTestRequest", () => {
  it("signs for the API's own URL and sends through the proxy: the API accepts it", async () => {
    seen.length = 0;
    const verdict = await sendTestRequest({ key: reader, route: "prices", apiUrl: page, signingUrl: api.url, fetch: proxy });
    expect(verdict).toMatchObject({ status: 200, accepted: true, summary: "4 prices", signedFor: `${api.url}/v1/prices` });
    expect(seen).toEqual([{ path: "/v1/prices", host: new URL(api.url).host }]);
  });

  it("sends the test order with its body signed (Content-Digest): accepted", async () => {
    const verdict = await sendTestRequest({ key: trader, route: "order", apiUrl: page, signingUrl: api.url, fetch: proxy });
    expect(verdict).toMatchObject({ status: 201, accepted: true, summary: expect.stringMatching(/^order ord_.* accepted$/) });
  });

  it("returns the status, the API's reason code, what it means and the verifier's message", async () => {
    expect(await sendTestRequest({ key: reader, route: "order", apiUrl: page, signingUrl: api.url, fetch: proxy })).toMatchObject({
      status: 403,
      accepted: false,
      reason: "insufficient-scope",
      explanation: "The key is valid but lacks a scope this route requires.",
      message: expect.stringContaining("trade"),
    });
    expect(await sendTestRequest({ key: revoked, route: "prices", apiUrl: page, signingUrl: api.url, fetch: proxy })).toMatchObject({
      status: 401,
      reason: "key-revoked",
      explanation: "The key was revoked.",
    });
    // Signed for the page's own URL, the signature covers the wrong authority and path.
    expect(await sendTestRequest({ key: reader, route: "prices", apiUrl: page, signingUrl: page, fetch: proxy })).toMatchObject({ status: 401, reason: "bad-signature" });
  });
});
