// Webhooks signed with KeyLedger's RFC 9421 profile, delivered to a real HTTP
// receiver that verifies them with the library's own verifier.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { readRawBody, verifyNodeRequest } from "../../src/verifier/adapters/node.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { createWebhookSender, InvalidWebhookOptionError, type WebhookDelivery, type WebhookEvent } from "../../src/webhooks/index.ts";

let key: KeyFile;
let server: Server;
let url: string;
const received: WebhookEvent[] = [];
const verdicts: string[] = [];
/** Statuses to answer before accepting, per event id. */
const failFirst = new Map<string, number[]>();
let delayMs = 0;

beforeAll(async () => {
  key = await generateKey({ alg: "ed25519", label: "webhooks" });
  const verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: [] } }) });
  server = createServer(async (req, res) => {
    const body = await readRawBody(req, { limit: 65_536 });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const result = await verifyNodeRequest({ verifier, request: req, body });
    verdicts.push(result.ok ? "ok" : result.reason);
    if (!result.ok) {
      res.writeHead(401).end(result.reason);
      return;
    }
    const event = JSON.parse(Buffer.from(body).toString("utf8")) as WebhookEvent;
    const plan = failFirst.get(event.id);
    if (plan?.length) {
      res.writeHead(plan.shift()!).end();
      return;
    }
    received.push(event);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/keyledger`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("createWebhookSender", () => {
  it("delivers events in order, each verified by the receiver's KeyLedger verifier", async () => {
    received.length = 0;
    const deliveries: WebhookDelivery[] = [];
    const sender = createWebhookSender({ url, key, onDelivery: (d) => deliveries.push(d) });
    for (let i = 0; i < 3; i++) expect(sender.send("agent.key-rotated", { n: i, keyId: key.keyId })).toBe(true);
    await sender.close();
    expect(received.map((e) => e.data.n)).toEqual([0, 1, 2]);
    expect(new Set(received.map((e) => e.id)).size).toBe(3);
    expect(received[0]).toMatchObject({ type: "agent.key-rotated", data: { keyId: key.keyId } });
    expect(deliveries.every((d) => d.delivered && d.status === 204 && d.attempts === 1)).toBe(true);
    expect(() => sender.send("agent.key-rotated", {})).toThrow(InvalidWebhookOptionError);
  });

  it("retries 5xx with a fresh signature and the same event id; stops at a 4xx", async () => {
    received.length = 0;
    const deliveries: WebhookDelivery[] = [];
    // The receiver sees the id only in the body, so plan by the first event's id via a wrapping fetch.
    const sender = createWebhookSender({
      url,
      key,
      backoffMs: 10,
      onDelivery: (d) => deliveries.push(d),
      fetch: async (request) => {
        const event = JSON.parse(await request.clone().text()) as WebhookEvent;
        if (event.data.plan === "retry" && !failFirst.has(event.id)) failFirst.set(event.id, [503, 503]);
        if (event.data.plan === "gone" && !failFirst.has(event.id)) failFirst.set(event.id, [410]);
        return fetch(request);
      },
    });
    sender.send("api.revoked-key-used", { plan: "retry" });
    sender.send("api.revoked-key-used", { plan: "gone" });
    await sender.flush();
    expect(deliveries.map((d) => [d.delivered, d.attempts, d.status])).toEqual([
      [true, 3, 204],
      [false, 1, 410],
    ]);
    // Every attempt verified (a replayed nonce would have been refused): only the planned statuses failed.
    expect(received.map((e) => e.data.plan)).toEqual(["retry"]);
  });

  it("a body changed in transit is refused by the receiver (digest-mismatch) and not retried", async () => {
    verdicts.length = 0;
    const deliveries: WebhookDelivery[] = [];
    const sender = createWebhookSender({
      url,
      key,
      backoffMs: 10,
      onDelivery: (d) => deliveries.push(d),
      fetch: async (request) => {
        const text = (await request.text()).replace('"amount":1', '"amount":9');
        return fetch(new Request(request.url, { method: "POST", headers: request.headers, body: text }));
      },
    });
    sender.send("api.test", { amount: 1 });
    await sender.close();
    expect(verdicts).toEqual(["digest-mismatch"]);
    expect(deliveries[0]).toMatchObject({ delivered: false, attempts: 1, status: 401 });
  });

  it("drops events beyond maxQueue and counts them; refuses bad options", async () => {
    delayMs = 200;
    const sender = createWebhookSender({ url, key, maxQueue: 1 });
    expect(sender.send("api.test", { n: 1 })).toBe(true); // taken by the pump at once
    expect(sender.send("api.test", { n: 2 })).toBe(true); // waits
    expect(sender.send("api.test", { n: 3 })).toBe(false);
    expect(sender.dropped).toBe(1);
    await sender.close();
    delayMs = 0;

    const publicOnly = { ...key, privateKey: undefined };
    for (const bad of [
      { url: "ftp://127.0.0.1/x", key },
      { url: "http://user:pw@127.0.0.1/x", key },
      { url: "not a url", key },
      { url, key: publicOnly },
      { url, key, attempts: 0 },
      { url, key, maxQueue: 1.5 },
    ]) {
      expect(() => createWebhookSender(bad as never)).toThrow(InvalidWebhookOptionError);
    }
    expect(() => createWebhookSender({ url, key }).send("Bad Type", {})).toThrow(InvalidWebhookOptionError);
  });
});
