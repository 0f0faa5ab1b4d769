import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { type ApiServer, createApiServer, prices } from "../../src/server/index.ts";
import { createSignedFetch, signRequest } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";

let api: ApiServer;
let reader: KeyFile;
let traderV1: KeyFile;
let traderV2: KeyFile;
let revoked: KeyFile;
let usedAt = 1_800_000_000_000;

beforeAll(async () => {
  [reader, traderV1, traderV2, revoked] = await Promise.all([
    generateKey({ label: "reader" }),
    generateKey({ alg: "ecdsa-p256-sha256", label: "trader" }),
    generateKey({ alg: "ecdsa-secp256k1-sha256", label: "trader" }),
    generateKey({ label: "gone" }),
  ]);
  const entry = (key: KeyFile, scopes: string[], extra: object = {}) => ({ alg: key.alg, publicKey: key.publicKey, scopes, label: key.label, ...extra });
  const keys = staticKeyResolver({
    [reader.keyId]: entry(reader, ["read"]),
    [traderV1.keyId]: entry(traderV1, ["read", "trade"], { version: 1 }),
    [traderV2.keyId]: entry(traderV2, ["read", "trade"], { version: 2 }),
    [revoked.keyId]: entry(revoked, ["read"], { state: "revoked" }),
  });
  // The metrics clock is injected so the last-used values can be asserted exactly.
  api = await createApiServer({ verifier: createVerifier({ keys }), now: () => usedAt });
});

afterAll(() => api?.close());

async function signedFetch(key: KeyFile, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(await signRequest(new Request(`${api.url}${path}`, init), { key }));
}

const order = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("reference API", () => {
  it("serves prices to a key with read, deterministically", async () => {
    const a = await signedFetch(reader, "/v1/prices");
    const b = await signedFetch(reader, "/v1/prices?fresh=1");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await a.text();
    expect(JSON.parse(body)).toEqual({ prices });
    expect(await b.text()).toBe(body);
  });

  it("takes orders from a key with trade and validates them", async () => {
    const ok = await signedFetch(traderV1, "/v1/orders", order({ symbol: "ETH-USD", side: "buy", qty: 2 }));
    expect(ok.status).toBe(201);
    const placed = await ok.json();
    expect(placed).toMatchObject({ status: "accepted", type: "market", symbol: "ETH-USD", side: "buy", qty: 2, keyId: traderV1.keyId });
    expect(placed.orderId).toMatch(/^ord_[0-9a-f-]{36}$/);
    const limit = await signedFetch(traderV2, "/v1/orders", order({ symbol: "BTC-USD", side: "sell", qty: 0.1, price: 70_000 }));
    expect(await limit.json()).toMatchObject({ type: "limit", price: 70_000 });

    for (const [body, message] of [
      [{ symbol: "DOGE-USD", side: "buy", qty: 1 }, "symbol must be one of"],
      [{ symbol: "ETH-USD", side: "hold", qty: 1 }, "side must be"],
      [{ symbol: "ETH-USD", side: "buy", qty: -1 }, "qty must be"],
      [{ symbol: "ETH-USD", side: "buy", qty: 1, price: "cheap" }, "price, when given"],
      [{ symbol: "ETH-USD", side: "buy", qty: 1, leverage: 100 }, "unknown field(s): leverage"],
    ] as const) {
      const r = await signedFetch(traderV1, "/v1/orders", order(body));
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ error: "invalid-order", message: expect.stringContaining(message) });
    }
    const text = await signedFetch(traderV1, "/v1/orders", { method: "POST", headers: { "content-type": "text/plain" }, body: "buy" });
    expect(text.status).toBe(415);
  });

  it("answers rejections with the verifier's status and a JSON reason", async () => {
    const forbidden = await signedFetch(reader, "/v1/orders", order({ symbol: "ETH-USD", side: "buy", qty: 1 }));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: "insufficient-scope", message: expect.any(String) });

    const unsigned = await fetch(`${api.url}/v1/prices`);
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error).toBe("missing-signature");

    const gone = await signedFetch(revoked, "/v1/prices");
    expect(gone.status).toBe(401);
    expect((await gone.json()).error).toBe("key-revoked");

    const once = await signRequest(new Request(`${api.url}/v1/prices`), { key: reader });
    expect((await fetch(once.clone())).status).toBe(200);
    const replay = await fetch(once);
    expect(replay.status).toBe(401);
    expect((await replay.json()).error).toBe("replayed-nonce");

    const tampered = await signRequest(new Request(`${api.url}/v1/orders`, order({ symbol: "ETH-USD", side: "buy", qty: 1 })), { key: traderV1 });
    const forged = await fetch(`${api.url}/v1/orders`, { method: "POST", headers: tampered.headers, body: JSON.stringify({ symbol: "ETH-USD", side: "buy", qty: 1000 }) });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error).toBe("digest-mismatch");
  });

  it("answers 404, 405 and 413 without judging the request", async () => {
    const missing = await fetch(`${api.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not-found" });
    const wrongMethod = await fetch(`${api.url}/v1/prices`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
    const huge = await fetch(`${api.url}/v1/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: "x".repeat(70_000) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toBe("payload-too-large");
  });

  it("reports health without authentication", async () => {
    const r = await fetch(`${api.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
  });
});

describe("metrics", () => {
  async function scrape(): Promise<string> {
    const r = await fetch(`${api.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain");
    return r.text();
  }

  function value(text: string, series: string): number | undefined {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  it("counts verified requests per key and version, rejections by reason, and shows when a version was last used", async () => {
    const before = await scrape();
    const v1Series = `{key_id="${traderV1.keyId}",version="1",label="trader"}`;
    const v2Series = `{key_id="${traderV2.keyId}",version="2",label="trader"}`;
    const v1Before = value(before, `keyledger_api_key_requests_total${v1Series}`) ?? 0;
    const rejectedBefore = value(before, 'keyledger_api_requests_rejected_total{route="/v1/prices",reason="unknown-key"}') ?? 0;

    usedAt = 1_800_000_100_000;
    await signedFetch(traderV1, "/v1/prices");
    usedAt = 1_800_000_200_000;
    // A signing client on the newest version, as after a rotation.
    const client = createSignedFetch({ keys: [traderV2] });
    await client(`${api.url}/v1/prices`);
    await client(`${api.url}/v1/prices`);
    const stranger = await generateKey({ label: "stranger" });
    await signedFetch(stranger, "/v1/prices");

    const text = await scrape();
    expect(value(text, `keyledger_api_key_requests_total${v1Series}`)).toBe(v1Before + 1);
    expect(value(text, `keyledger_api_key_last_used_timestamp_seconds${v1Series}`)).toBe(1_800_000_100);
    expect(value(text, `keyledger_api_key_last_used_timestamp_seconds${v2Series}`)).toBe(1_800_000_200);
    expect(value(text, `keyledger_api_key_requests_total${v2Series}`)).toBeGreaterThanOrEqual(2);
    expect(value(text, 'keyledger_api_requests_rejected_total{route="/v1/prices",reason="unknown-key"}')).toBe(rejectedBefore + 1);
    expect(value(text, 'keyledger_api_requests_rejected_total{route="/v1/orders",reason="insufficient-scope"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'keyledger_api_requests_verified_total{route="/v1/prices"}')).toBeGreaterThanOrEqual(3);
    // Rejected requests never create per-key series: their key ids are attacker-chosen.
    expect(text).not.toContain(stranger.keyId);
    expect(text).toMatch(/keyledger_api_request_duration_seconds_count\{route="\/v1\/prices",method="GET",status="200"\} \d+/);
    expect(text).toContain("process_resident_memory_bytes");
  });
});
