import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignedFetch, signRequest } from "../../src/signer/index.ts";
import { keyledger } from "../../src/verifier/adapters/express.ts";
import { BodyTooLargeError, readRawBody, verifyNodeRequest } from "../../src/verifier/adapters/node.ts";
import { createVerifier, staticKeyResolver, type Verifier, verifierReasons } from "../../src/verifier/index.ts";
import { keyOf } from "./helpers.ts";

const key = await keyOf("ed25519", "adapter-bot");
const reader = await keyOf("ecdsa-p256-sha256", "reader");
const keys = staticKeyResolver({
  [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: ["read", "trade"] },
  [reader.keyId]: { alg: reader.alg, publicKey: reader.publicKey, scopes: ["read"] },
});

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends bytes as they are (to control the Host header and request target) and returns status and body. */
async function rawRequest(origin: string, text: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(origin);
  const socket = connect(Number(port), "127.0.0.1");
  await once(socket, "connect");
  // write, not end: a half-closed socket makes node:http drop a response still being computed.
  socket.write(text);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const response = Buffer.concat(chunks).toString("latin1");
  return { status: Number(response.split(" ")[1]), body: response.slice(response.indexOf("\r\n\r\n") + 4) };
}

describe("node:http adapter", () => {
  let server: Server;
  let origin: string;
  let verifier: Verifier;
  beforeAll(async () => {
    verifier = createVerifier({ keys });
    server = createServer(async (req, res) => {
      try {
        const body = await readRawBody(req, { limit: 1024 });
        const scopes = req.url?.startsWith("/v1/orders") ? ["trade"] : ["read"];
        const verdict = await verifyNodeRequest({ verifier, request: req, body, requiredScopes: scopes });
        const status = verdict.ok ? 200 : verifierReasons[verdict.reason].status;
        const payload = JSON.stringify(verdict.ok ? { keyId: verdict.keyId } : { error: verdict.reason, message: verdict.message });
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }).end(payload);
      } catch (error) {
        res.writeHead(error instanceof BodyTooLargeError ? 413 : 500, { connection: "close" }).end();
      }
    });
    origin = await listen(server);
  });
  afterAll(() => server.close());

  it("accepts requests signed by createSignedFetch through the real fetch", async () => {
    const fetch = createSignedFetch({ keys: [key] });
    const get = await fetch(`${origin}/v1/prices?pair=ETH-USD`);
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ keyId: key.keyId });
    const post = await fetch(`${origin}/v1/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"side":"buy"}' });
    expect(post.status).toBe(200);
  });

  it("answers 401 unsigned, 403 for a missing scope, 413 for an oversized body", async () => {
    expect((await fetch(`${origin}/v1/prices`)).status).toBe(401);
    const readerFetch = createSignedFetch({ keys: [reader] });
    const forbidden = await readerFetch(`${origin}/v1/orders`, { method: "POST", body: "{}" });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toBe("insufficient-scope");
    const large = await createSignedFetch({ keys: [key] })(`${origin}/v1/orders`, { method: "POST", body: "x".repeat(2048) });
    expect(large.status).toBe(413);
  });

  it("refuses a Host that would move part of the path into the authority", async () => {
    // Signed for https-less origin, path /x/v1/prices. Replayed as Host "127.0.0.1:port/x" + target /v1/prices,
    // a naive concatenation would rebuild the signed URL while the router sees /v1/prices.
    const signed = await signRequest({ method: "GET", url: `${origin}/x/v1/prices`, headers: {} }, { key });
    const host = new URL(origin).host;
    const lines = Object.entries(signed.headers as Record<string, string>).map(([n, v]) => `${n}: ${v}`);
    const sent = await rawRequest(origin, [`GET /v1/prices HTTP/1.1`, `Host: ${host}/x`, ...lines, "Connection: close", "", ""].join("\r\n"));
    expect(sent.status).toBe(401);
    expect(JSON.parse(sent.body).error).toBe("malformed");
    // Two Host headers are refused too.
    const signed2 = await signRequest({ method: "GET", url: `${origin}/v1/prices`, headers: {} }, { key });
    const lines2 = Object.entries(signed2.headers as Record<string, string>).map(([n, v]) => `${n}: ${v}`);
    const twice = await rawRequest(origin, [`GET /v1/prices HTTP/1.1`, `Host: ${host}`, `Host: ${host}`, ...lines2, "Connection: close", "", ""].join("\r\n"));
    expect(twice.status).toBe(401);
  });

  it("verifies the raw request target: dot segments are not normalised before verification", async () => {
    const signed = await signRequest({ method: "GET", url: `${origin}/v1/prices`, headers: {} }, { key });
    const host = new URL(origin).host;
    const lines = Object.entries(signed.headers as Record<string, string>).map(([n, v]) => `${n}: ${v}`);
    const sent = await rawRequest(origin, [`GET /v1/orders/../prices HTTP/1.1`, `Host: ${host}`, ...lines, "Connection: close", "", ""].join("\r\n"));
    expect(sent, JSON.stringify(sent)).toMatchObject({ status: 401 });
    expect(JSON.parse(sent.body).error).toBe("bad-signature");
  });
});

describe("express middleware", () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    const verifier = createVerifier({ keys });
    const app = express();
    app.get("/v1/prices", keyledger({ verifier, requiredScopes: ["read"] }), (req, res) => {
      res.json({ keyId: req.keyledger?.ok ? req.keyledger.keyId : null });
    });
    app.post("/v1/orders", keyledger({ verifier, requiredScopes: ["trade"], limit: 512 }), (req, res) => {
      res.json({ received: JSON.parse((req.body as Buffer).toString("utf8")) });
    });
    app.post("/v1/raw", express.raw({ type: "*/*" }), keyledger({ verifier }), (req, res) => {
      res.json({ bytes: (req.body as Buffer).length });
    });
    app.post("/v1/parsed", express.json(), keyledger({ verifier }), (_req, res) => {
      res.json({});
    });
    const stale = createVerifier({ keys: { resolve: () => ({ status: "stale", message: "The chain index is 45 s old." }) } });
    app.get("/v1/stale", keyledger({ verifier: stale }), (_req, res) => {
      res.json({});
    });
    // Mounted: Express strips "/v1" from req.url inside the router.
    const mounted = express.Router();
    mounted.get("/prices", (req, res) => {
      res.json({ keyId: req.keyledger?.ok ? req.keyledger.keyId : null });
    });
    app.use("/mounted", keyledger({ verifier, requiredScopes: ["read"] }), mounted);
    app.use("/admin", keyledger({ verifier, requiredScopes: ["read"] }), mounted);
    app.get("/v1/ticker", keyledger({ verifier, requiredScopes: ["read"], nonce: "window-only" }), (_req, res) => {
      res.json({});
    });
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: error.name });
    });
    server = createServer(app);
    origin = await listen(server);
  });
  afterAll(() => server.close());
  const signedFetch = createSignedFetch({ keys: [key] });

  it("passes valid requests with req.keyledger set and the raw body in req.body", async () => {
    const get = await signedFetch(`${origin}/v1/prices?pair=BTC-USD`);
    expect(await get.json()).toEqual({ keyId: key.keyId });
    const post = await signedFetch(`${origin}/v1/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"side":"sell"}' });
    expect(await post.json()).toEqual({ received: { side: "sell" } });
    const raw = await signedFetch(`${origin}/v1/raw`, { method: "POST", body: "abc" });
    expect(await raw.json()).toEqual({ bytes: 3 });
  });

  it("answers 401/403/503/413 with { error, message }", async () => {
    const unsigned = await fetch(`${origin}/v1/prices`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ error: "missing-signature", message: expect.any(String) });
    const forbidden = await createSignedFetch({ keys: [reader] })(`${origin}/v1/orders`, { method: "POST", body: "{}" });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toBe("insufficient-scope");
    const stale = await signedFetch(`${origin}/v1/stale`);
    expect(stale.status).toBe(503);
    expect(await stale.json()).toEqual({ error: "stale-chain-state", message: "The chain index is 45 s old." });
    const large = await signedFetch(`${origin}/v1/orders`, { method: "POST", body: "x".repeat(600) });
    expect(large.status).toBe(413);
  });

  it("binds the full path under a mount point: the honest request passes, one signed for the stripped path does not", async () => {
    const honest = await signedFetch(`${origin}/mounted/prices`);
    expect(honest.status).toBe(200);
    expect(await honest.json()).toEqual({ keyId: key.keyId });
    // A signature over @path /prices must not be accepted at /admin/prices (where req.url is /prices).
    const signed = await signRequest({ method: "GET", url: `${origin}/prices`, headers: {} }, { key });
    const moved = await fetch(`${origin}/admin/prices`, { headers: signed.headers as Record<string, string> });
    expect(moved.status).toBe(401);
    expect((await moved.json()).error).toBe("bad-signature");
  });

  it('a "window-only" route accepts a repeat inside the window; a "required" one does not', async () => {
    for (const [path, second] of [["/v1/ticker", 200], ["/v1/prices", 401]] as const) {
      const signed = await signRequest({ method: "GET", url: `${origin}${path}`, headers: {} }, { key });
      const headers = signed.headers as Record<string, string>;
      expect((await fetch(`${origin}${path}`, { headers })).status).toBe(200);
      expect((await fetch(`${origin}${path}`, { headers })).status).toBe(second);
    }
    expect(() => keyledger({ verifier: createVerifier({ keys }), nonce: "never" as never })).toThrow(/window-only/);
  });

  it("fails loudly when a body parser consumed the body first", async () => {
    const response = await signedFetch(`${origin}/v1/parsed`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "InvalidVerifierOptionError" });
  });
});
