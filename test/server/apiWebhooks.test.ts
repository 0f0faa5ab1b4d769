// The reference API's alert webhooks against a real chain and a real receiver that
// verifies each webhook with the library's verifier: a revoked key still in use, a
// burst of forged requests naming one key, nothing for unknown key ids; and the
// event logic's windows and chain transitions through createApiEvents.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { createApiEvents, startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { writeKeyFile } from "../../src/signer/node.ts";
import { readRawBody, verifyNodeRequest } from "../../src/verifier/adapters/node.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import type { WebhookEvent } from "../../src/webhooks/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { registerKey } from "../helpers/registerKey.ts";

let node: LocalNode;
let api: StartApiServerReturnType;
let receiver: Server;
let dir: string;
const events: WebhookEvent[] = [];
const refused: string[] = [];

beforeAll(async () => {
  node = await startLocalNode();
  dir = mkdtempSync(join(tmpdir(), "keyledger-hooks-"));
  const hookKey = await generateKey({ alg: "ed25519", label: "api-webhooks" });
  writeKeyFile({ path: join(dir, "hook.key.json"), key: hookKey });
  const verifier = createVerifier({ keys: staticKeyResolver({ [hookKey.keyId]: { alg: "ed25519", publicKey: hookKey.publicKey, scopes: [] } }) });
  receiver = createServer(async (req, res) => {
    const body = await readRawBody(req, { limit: 65_536 });
    const verdict = await verifyNodeRequest({ verifier, request: req, body });
    if (verdict.ok) events.push(JSON.parse(Buffer.from(body).toString("utf8")));
    else refused.push(verdict.reason);
    res.writeHead(verdict.ok ? 204 : 401).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, webhook: { url, keyPath: join(dir, "hook.key.json") } });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The API judges windows by the wall clock; the deployment may have moved the chain's clock ahead.
const register = async (label: string) =>
  (await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[3], label, notBefore: Math.floor(Date.now() / 1000) - 60 })).key;
const get = async (key: KeyFile) => fetch(await signRequest(new Request(`${api.url}/v1/prices`), { key }));
async function eventually(check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
}

describe("API webhooks", () => {
  it("a revoked key still in use raises one signed api.revoked-key-used event per window", async () => {
    const key = await register("retired-bot");
    expect((await get(key)).status).toBe(200);
    const { publicClient, walletClient } = localClients(node.rpcUrl);
    const hash = await walletClient.writeContract({ account: devAccounts[3], address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "revoke", args: [key.keyId, "retired"] });
    await publicClient.waitForTransactionReceipt({ hash });
    // The revocation reaches the index within its polling bound.
    const deadline = Date.now() + 5_000;
    while ((await get(key)).status === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const answers = await Promise.all(Array.from({ length: 3 }, () => get(key)));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(await eventually(() => events.some((e) => e.type === "api.revoked-key-used"))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const raised = events.filter((e) => e.type === "api.revoked-key-used");
    expect(raised).toEqual([expect.objectContaining({ data: expect.objectContaining({ keyId: key.keyId, route: "/v1/prices" }) })]);
    expect(refused).toEqual([]);
  });

  it("a burst of forged requests naming one key raises api.signature-failures; unknown key ids raise nothing", async () => {
    const key = await register("targeted");
    const before = events.length;
    const stranger = await generateKey({ alg: "ed25519", label: "stranger" });
    const unknown = await Promise.all(Array.from({ length: 15 }, () => get(stranger)));
    expect(unknown.every((r) => r.status === 401)).toBe(true);
    for (let i = 0; i < 12; i++) {
      const signed = await signRequest(new Request(`${api.url}/v1/prices`), { key });
      const headers = new Headers(signed.headers);
      headers.set("signature", headers.get("signature")!.replace(/:(.)/, (_m, c: string) => `:${c === "A" ? "B" : "A"}`));
      const r = await fetch(`${api.url}/v1/prices`, { headers });
      expect((await r.json()).error).toBe("bad-signature");
    }
    expect(await eventually(() => events.some((e) => e.type === "api.signature-failures"))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const raised = events.slice(before);
    expect(raised).toEqual([expect.objectContaining({ type: "api.signature-failures", data: expect.objectContaining({ keyId: key.keyId, reason: "bad-signature", count: 11 }) })]);
  });
});

describe("createApiEvents", () => {
  it("fires once per kind and key per window, again in the next window, and on chain stale/recovered transitions", () => {
    const out: [string, Record<string, unknown>][] = [];
    let t = 1_000_000;
    const events = createApiEvents({ emit: (type, data) => out.push([type, data]), burstThreshold: 3, windowSeconds: 60, now: () => t });
    const fail = (reason: string, keyId?: string) => events.rejected("/v1/prices", { ok: false, reason: reason as never, message: "", keyId });
    for (let i = 0; i < 5; i++) fail("key-suspended", "0xaa");
    for (let i = 0; i < 5; i++) fail("replayed-nonce", "0xbb");
    for (let i = 0; i < 50; i++) fail("bad-signature");
    fail("key-expired", "0xaa");
    expect(out.map(([type, d]) => `${type} ${d.keyId} ${d.count ?? ""}`)).toEqual(["api.suspended-key-used 0xaa ", "api.signature-failures 0xbb 3"]);
    t += 61_000;
    fail("key-suspended", "0xaa");
    expect(out).toHaveLength(3);

    const chain = (stale: boolean, ready = true) => events.chain({ ready, stale, blockNumber: 7, ageSeconds: stale ? 40 : 0.1, keys: 1 });
    chain(false);
    chain(true, false);
    chain(true);
    chain(true);
    chain(false);
    expect(out.slice(3).map(([type]) => type)).toEqual(["api.chain-stale", "api.chain-recovered"]);
  });

  it("an old version used after a newer one served (once per key per window) and a key expiring soon (once per key)", () => {
    const out: [string, Record<string, unknown>][] = [];
    let t = 1_800_000_000_000;
    const events = createApiEvents({ emit: (type, data) => out.push([type, data]), windowSeconds: 60, expiresSoonSeconds: 7 * 86_400, now: () => t });
    const ok = (keyId: string, version: number, expiresAt?: number) =>
      events.verified("/v1/prices", { ok: true, keyId, owner: undefined, label: "bot", version, scopes: [], alg: "ed25519", expiresAt });
    const far = t / 1000 + 90 * 86_400;
    ok("0xv1", 1, far);
    ok("0xv1", 1, far);
    expect(out).toEqual([]);
    // v2 took over; v1 still used: one event per window.
    ok("0xv2", 2, far);
    ok("0xv1", 1, far);
    ok("0xv1", 1, far);
    expect(out).toEqual([["api.old-key-version-used", { keyId: "0xv1", label: "bot", version: 1, newestVersion: 2, route: "/v1/prices" }]]);
    t += 61_000;
    ok("0xv1", 1, far);
    expect(out).toHaveLength(2);
    // The newest version nearing its end: warned once, however long it stays in use.
    const soon = t / 1000 + 3 * 86_400;
    ok("0xv3", 3, soon);
    ok("0xv3", 3, soon);
    t += 61_000;
    ok("0xv3", 3, soon);
    expect(out.slice(2)).toEqual([["api.key-expires-soon", { keyId: "0xv3", label: "bot", version: 3, expiresAt: soon, route: "/v1/prices" }]]);
  });

  it("tracks at most maxKeys keys per window", () => {
    const out: string[] = [];
    const events = createApiEvents({ emit: (type) => out.push(type), maxKeys: 5 });
    for (let i = 0; i < 100; i++) events.rejected("/v1/prices", { ok: false, reason: "key-revoked", message: "", keyId: `0x${i}` });
    expect(out).toHaveLength(5);
  });
});
