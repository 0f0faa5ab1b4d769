// End to end on a real local chain: the CLI (child processes) changes the registry,
// the reference API server (chain key resolver + verifier) judges requests signed
// by the signing SDK. The verifier's clock follows the chain's, which the test
// moves forward (overlap end, DAO voting period, timelock delay).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { readKeyFile } from "../../src/signer/node.ts";
import { root, runCli } from "../cli/runCli.ts";
import { increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { redisSkipReason, startRedis } from "../helpers/redis.ts";

const maxStalenessSeconds = 5;

let node: LocalNode;
let api: StartApiServerReturnType;
let dir: string;
/** Chain time minus wall time, ms: hardhat keeps its clock this far ahead after time travel. */
let chainOffsetMs = 0;
const chainNow = () => Date.now() + chainOffsetMs;

async function syncChainClock(): Promise<void> {
  const client = createPublicClient({ transport: http(node.rpcUrl) });
  const block = await client.getBlock({ blockTag: "latest" });
  chainOffsetMs = Math.max(0, Number(block.timestamp) * 1000 - Date.now());
}

async function travel(seconds: number): Promise<void> {
  await increaseTime(node.rpcUrl, seconds);
  await syncChainClock();
}

// Key files as keygen writes them by default: the private key encrypted under this passphrase.
const passphrase = "e2e key file passphrase";

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runCli([...args, "--json"], { env: { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath, KEYLEDGER_KEY_PASSPHRASE: passphrase } });
  if (r.code !== 0) throw new Error(`keyledger ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function newKey(label: string, alg = "ed25519"): Promise<{ path: string; key: KeyFile }> {
  const path = join(dir, `${label}-${Math.random().toString(36).slice(2)}.key.json`);
  await cli("keygen", "--label", label, "--alg", alg, "--out", path);
  return { path, key: readKeyFile({ path, passphrase }) };
}

/** The key file as it is on disk now (after `register` or `rotate` wrote the registry id into it). */
function reload(k: { path: string; key: KeyFile }): { path: string; key: KeyFile } {
  return { path: k.path, key: readKeyFile({ path: k.path, passphrase }) };
}

/** A request signed at chain time, as a client whose clock matches the chain's would. */
async function call(key: KeyFile, path: string, init: RequestInit = {}, base = api.url): Promise<{ status: number; body: Record<string, unknown> }> {
  const signed = await signRequest(new Request(`${base}${path}`, init), { key, created: Math.floor(chainNow() / 1000) });
  const response = await fetch(signed);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metric(series: string): Promise<number | undefined> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const buy = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ symbol: "ETH-USD", side: "buy", qty: 1 }) };

beforeAll(async () => {
  node = await startLocalNode();
  dir = mkdtempSync(join(tmpdir(), "keyledger-e2e-"));
  await syncChainClock();
  api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, maxStalenessSeconds, now: chainNow });
});

afterAll(async () => {
  await api?.close();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("KeyLedger on a local chain", () => {
  let v1: { path: string; key: KeyFile };
  let v2: { path: string; key: KeyFile };

  it("accepts a request signed by a key registered a moment ago (with proof of possession)", async () => {
    v1 = await newKey("trading-bot");
    const registered = await cli("register", "--key", v1.path, "--scopes", "read,trade", "--dev-account", "1");
    // `register` wrote the registry id (namespaced by the owner) into the key file: requests carry it.
    v1 = reload(v1);
    expect(v1.key.keyId.slice(0, 6)).toBe("0x7099");
    expect(registered).toMatchObject({ keyId: v1.key.keyId, version: 1 });
    // No wait for the index: the unknown id triggers one authoritative sync.
    const prices = await call(v1.key, "/v1/prices");
    expect(prices.status).toBe(200);
    const order = await call(v1.key, "/v1/orders", buy);
    expect(order).toMatchObject({ status: 201, body: { status: "accepted", keyId: v1.key.keyId, owner: expect.stringMatching(/^0x7099/i) } });
  });

  it.skipIf(redisSkipReason)("shares nonces through Redis: a request replayed to another server process is rejected", async () => {
    const redis = await startRedis();
    // Two instances behind one public origin, as behind a load balancer: one as its
    // own process (src/server/main.ts), one in this process, same chain, same Redis.
    const origin = "https://api.keyledger.test";
    const child = spawn(
      process.execPath,
      ["src/server/main.ts", "--port", "0", "--rpc", node.rpcUrl, "--manifest", node.manifestPath, "--redis", redis.url, "--origin", origin],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((done) => child.once("close", done));
    const other = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, redisUrl: redis.url, origin });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").once("data", (line: string) => resolve(line.trim()));
        child.once("close", (code) => reject(new Error(`server exited ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const signed = await signRequest({ method: "GET", url: `${origin}/v1/prices`, headers: {} }, { key: v1.key });
      const headers = signed.headers as Record<string, string>;
      expect((await fetch(`${url}/v1/prices`, { headers })).status).toBe(200);
      const replayed = await fetch(`${other.url}/v1/prices`, { headers });
      expect(replayed.status).toBe(401);
      expect((await replayed.json()).error).toBe("replayed-nonce");
      // And the other way round with a fresh request.
      const fresh = (await signRequest({ method: "GET", url: `${origin}/v1/prices`, headers: {} }, { key: v1.key })).headers as Record<string, string>;
      expect((await fetch(`${other.url}/v1/prices`, { headers: fresh })).status).toBe(200);
      expect((await fetch(`${url}/v1/prices`, { headers: fresh })).status).toBe(401);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await other.close();
      await redis.stop();
    }
  });

  it("accepts both versions during the rotation overlap and rejects the old one after it", async () => {
    v2 = await newKey("trading-bot", "ecdsa-p256-sha256");
    const rotated = await cli("rotate", v1.key.keyId, "--key", v2.path, "--overlap", "1h", "--dev-account", "1");
    v2 = reload(v2);
    expect(rotated).toMatchObject({ keyId: v2.key.keyId, version: 2 });
    await api.resolver.sync();

    expect((await call(v1.key, "/v1/prices")).status).toBe(200);
    expect((await call(v2.key, "/v1/prices")).status).toBe(200);
    const lastUsed = (keyId: string, version: number) =>
      metric(`keyledger_api_key_last_used_timestamp_seconds{key_id="${keyId}",version="${version}",label="trading-bot"}`);
    expect(await lastUsed(v1.key.keyId, 1)).toBeGreaterThan(0);
    expect(await lastUsed(v2.key.keyId, 2)).toBeGreaterThan(0);

    await travel(3600 + 5);
    const old = await call(v1.key, "/v1/prices");
    expect(old).toEqual({ status: 401, body: { error: "key-expired", message: expect.any(String) } });
    expect((await call(v2.key, "/v1/orders", buy)).status).toBe(201);
  });

  it("rejects a key once the DAO's revocation proposal is executed", async () => {
    const proposal = await cli("propose-revoke", v2.key.keyId, "--reason", "bot misbehaving", "--dev-account", "0");
    const id = String(proposal.proposalId);
    await travel(2);
    await cli("proposal", "vote", id, "--support", "for", "--dev-account", "0");
    await travel(301);
    await cli("proposal", "queue", id, "--dev-account", "0");
    await travel(61);
    // Voting and the timelock do not touch the key: still accepted until execution.
    expect((await call(v2.key, "/v1/prices")).status).toBe(200);
    const executed = await cli("proposal", "execute", id, "--dev-account", "0");
    expect(executed.effects).toEqual([expect.objectContaining({ event: "KeyRevoked" })]);

    // Picked up by the resolver's polling, no explicit sync.
    const revoked = await until(() => call(v2.key, "/v1/prices"), (r) => r.status === 401);
    expect(revoked).toEqual({ status: 401, body: { error: "key-revoked", message: expect.any(String) } });
  });

  it("rejects a key a guardian suspended", async () => {
    let k = await newKey("market-maker", "ecdsa-secp256k1-sha256");
    await cli("register", "--key", k.path, "--scopes", "read", "--dev-account", "2");
    k = reload(k);
    expect((await call(k.key, "/v1/prices")).status).toBe(200);
    expect((await call(k.key, "/v1/orders", buy)).body.error).toBe("insufficient-scope");
    await cli("suspend", k.key.keyId, "--reason", "key posted in a public chat", "--dev-account", "9");
    const suspended = await until(() => call(k.key, "/v1/prices"), (r) => r.status === 401);
    expect(suspended).toEqual({ status: 401, body: { error: "key-suspended", message: expect.any(String) } });

    const reason = (r: string) => metric(`keyledger_api_requests_rejected_total{route="/v1/prices",reason="${r}"}`);
    expect(await reason("key-expired")).toBe(1);
    expect(await reason("key-revoked")).toBeGreaterThanOrEqual(1);
    expect(await reason("key-suspended")).toBeGreaterThanOrEqual(1);
    const health = await (await fetch(`${api.url}/healthz`)).json();
    expect(health).toMatchObject({ status: "ok", chain: { ready: true, stale: false, blockNumber: expect.any(Number), keys: 3 } });
  });

  it("fails closed with stale-chain-state when the chain node stops", async () => {
    await node.stop();
    const stale = await until(() => call(v1.key, "/v1/prices"), (r) => r.status === 503, (maxStalenessSeconds + 10) * 1000);
    expect(stale).toEqual({ status: 503, body: { error: "stale-chain-state", message: expect.any(String) } });
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "unavailable", chain: { stale: true } });
    expect(await metric("keyledger_chain_index_stale")).toBe(1);
  });
});
