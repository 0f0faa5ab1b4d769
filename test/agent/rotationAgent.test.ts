// The rotation agent (library and `keyledger agent`) against a real hardhat node:
// rotation on schedule by chain time, crash safety (the new key is on disk before
// the transaction; an interrupted or failed rotation is finished by the next pass
// with the same key), idempotence, and a signer that switches version without a restart.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, createTestClient, createWalletClient, type Hex, http, toHex } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidAgentOptionError, type RotationAction, rotateDueKeys, startRotationAgent } from "../../src/agent/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { createSignedFetch } from "../../src/signer/index.ts";
import { keyDirectory, readKeyFile, writeKeyFile } from "../../src/signer/node.ts";
import { runCli } from "../cli/runCli.ts";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readRawBody, verifyNodeRequest } from "../../src/verifier/adapters/node.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { registerKey } from "../helpers/registerKey.ts";

let node: LocalNode;
const dirs: string[] = [];
const day = 86_400;

beforeAll(async () => {
  node = await startLocalNode();
});

afterAll(async () => {
  await node?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function keyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "keyledger-agent-"));
  dirs.push(dir);
  return dir;
}

const clients = () => localClients(node.rpcUrl);
const wallet = (owner: Address) => createWalletClient({ account: owner, chain: hardhat, transport: http(node.rpcUrl), pollingInterval: 20 });
const chainNow = async () => Number((await clients().publicClient.getBlock()).timestamp);
const getKey = (keyId: Hex) =>
  clients().publicClient.readContract({ address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "getKey", args: [keyId] });

async function registered(owner: Address, label: string, dir: string): Promise<{ key: KeyFile; notBefore: number; expiresAt: number }> {
  const { key, notBefore, expiresAt } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label });
  writeKeyFile({ path: join(dir, `${label}.v1.key.json`), key: { ...key, version: 1, notBefore, expiresAt } });
  return { key, notBefore, expiresAt };
}

const options = (dir: string, owner: Address) => ({
  directory: dir,
  publicClient: clients().publicClient,
  walletClient: wallet(owner),
  registry: node.manifest.contracts.KeyRegistry.address,
  schedule: { everySeconds: 7 * day },
  overlapSeconds: 3600,
});

const only = <A extends RotationAction["action"]>(actions: RotationAction[], action: A) =>
  actions.filter((a): a is Extract<RotationAction, { action: A }> => a.action === action);

describe("rotation agent", () => {
  it("rotates a due key by chain time, writes the new version's file, and a second pass does nothing", async () => {
    const dir = keyDir();
    const owner = devAccounts[5];
    const { key, notBefore } = await registered(owner, "bot", dir);

    // A signer created before the rotation, reading the directory on every request.
    const sentWith: string[] = [];
    let signerNowMs = (await chainNow()) * 1000;
    const signedFetch = createSignedFetch({
      keys: keyDirectory({ path: dir }),
      now: () => signerNowMs,
      fetch: async (request) => {
        sentWith.push(/keyid="([^"]+)"/.exec(request.headers.get("signature-input") ?? "")![1]!);
        return new Response("ok");
      },
    });
    await signedFetch("http://127.0.0.1:1/v1/prices");

    const early = await rotateDueKeys(options(dir, owner));
    expect(early).toEqual([{ action: "not-due", keyId: key.keyId, version: 1, dueAt: notBefore + 7 * day }]);

    await increaseTime(node.rpcUrl, 7 * day + 60);
    const [rotated, ...rest] = await rotateDueKeys(options(dir, owner));
    expect(rest).toEqual([]);
    expect(rotated).toMatchObject({ action: "rotated", oldKeyId: key.keyId, version: 2, resumed: false });
    if (rotated?.action !== "rotated") throw new Error("not rotated");
    expect(rotated.file).toBe(join(dir, "bot.v2.key.json"));
    const file = readKeyFile({ path: rotated.file });
    expect(file).toMatchObject({ keyId: rotated.keyId, alg: key.alg, label: "bot", version: 2, notBefore: rotated.notBefore, expiresAt: rotated.expiresAt });
    expect(file.privateKey).toBeDefined();
    expect(rotated.expiresAt - rotated.notBefore).toBe(30 * day); // the old version's lifetime
    expect(rotated.oldExpiresAt).toBeLessThanOrEqual(rotated.notBefore + 3600 + 2);
    expect(await getKey(key.keyId)).toMatchObject({ rotated: true, state: 1 });
    expect(await getKey(rotated.keyId)).toMatchObject({ owner, version: 2, state: 1, rotated: false });
    expect(readdirSync(dir).sort()).toEqual(["bot.v1.key.json", "bot.v2.key.json"]);

    signerNowMs = (await chainNow()) * 1000;
    await signedFetch("http://127.0.0.1:1/v1/prices");
    expect(sentWith).toEqual([key.keyId, rotated.keyId]);

    const again = await rotateDueKeys(options(dir, owner));
    expect(only(again, "rotated")).toEqual([]);
    expect(again).toContainEqual({ action: "skipped", keyId: key.keyId, reason: "superseded" });
    expect(again).toContainEqual(expect.objectContaining({ action: "not-due", keyId: rotated.keyId, version: 2 }));
  });

  it("keeps the new key when the transaction cannot be sent, and the next pass registers that same key", async () => {
    const dir = keyDir();
    const owner = devAccounts[6];
    const { key } = await registered(owner, "payments", dir);
    await increaseTime(node.rpcUrl, 8 * day);
    const test = createTestClient({ mode: "hardhat", transport: http(node.rpcUrl) });
    const balance = await clients().publicClient.getBalance({ address: owner });
    await test.setBalance({ address: owner, value: 0n });

    const [failed] = await rotateDueKeys(options(dir, owner));
    expect(failed).toMatchObject({ action: "failed", keyId: key.keyId });
    if (failed?.action !== "failed") throw new Error("expected a failure");
    expect(failed.pendingFile).toBe(join(dir, `${key.keyId}.rotation.pending`));
    const pending = readKeyFile({ path: failed.pendingFile! });
    expect(pending.privateKey).toBeDefined();
    // The signer's directory view holds no unregistered key.
    expect((await keyDirectory({ path: dir })()).map((k) => k.keyId)).toEqual([key.keyId]);
    expect(await getKey(key.keyId)).toMatchObject({ rotated: false });

    await test.setBalance({ address: owner, value: balance });
    const [resumed] = await rotateDueKeys(options(dir, owner));
    expect(resumed).toMatchObject({ action: "rotated", oldKeyId: key.keyId, keyId: pending.keyId, version: 2, resumed: true });
    expect(existsSync(failed.pendingFile!)).toBe(false);
    expect(await getKey(pending.keyId)).toMatchObject({ owner, version: 2 });
  });

  it("finishes a rotation that was mined before a crash, and sets aside a pending key whose old key moved on", async () => {
    const dir = keyDir();
    const owner = devAccounts[7];
    const registry = node.manifest.contracts.KeyRegistry.address;
    const { key } = await registered(owner, "crashy", dir);
    // What a crashed agent leaves: the pending file written (with the registry id the owner gets), the rotation mined, no rename.
    const next = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "crashy" }), owner });
    writeKeyFile({ path: join(dir, `${key.keyId}.rotation.pending`), key: { ...next, version: 2 } });
    const now = await chainNow();
    const proof = await signProofOfPossession({ key: next, chainId: 31337, registry, owner });
    const newKey = { algorithm: algorithmToChain("ed25519"), publicKey: toHex(publicKeyToRaw({ publicKey: next.publicKey }).raw), scopes: 3, notBefore: now, expiresAt: now + 10 * day, proof };
    const hash = await wallet(owner).writeContract({ address: registry, abi: keyRegistryAbi, functionName: "rotate", args: [key.keyId, newKey, 600] });
    await clients().publicClient.waitForTransactionReceipt({ hash });

    const [finished] = await rotateDueKeys(options(dir, owner));
    expect(finished).toMatchObject({ action: "rotated", oldKeyId: key.keyId, keyId: next.keyId, version: 2, resumed: true, transactionHash: undefined });
    expect(readKeyFile({ path: join(dir, "crashy.v2.key.json")})).toMatchObject({ keyId: next.keyId, version: 2, notBefore: now, expiresAt: now + 10 * day });
    expect(readdirSync(dir).some((n) => n.endsWith(".pending"))).toBe(false);

    // A pending key for an old key that another transaction already rotated: kept, never used.
    const stray = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "crashy" }), owner });
    writeKeyFile({ path: join(dir, `${key.keyId}.rotation.pending`), key: { ...stray, version: 2 } });
    const actions = await rotateDueKeys(options(dir, owner));
    expect(actions[0]).toMatchObject({ action: "abandoned", oldKeyId: key.keyId, keyId: stray.keyId, file: join(dir, `${key.keyId}.rotation.abandoned`) });
    expect(readKeyFile({ path: join(dir, `${key.keyId}.rotation.abandoned`) }).keyId).toBe(stray.keyId);
    expect(only(actions, "rotated")).toEqual([]);
  });

  it("rotates as the owner's rotator (a bot's hot wallet): the new key is the owner's; a wallet that is neither is skipped", async () => {
    const dir = keyDir();
    const owner = devAccounts[13];
    const bot = devAccounts[14];
    const stranger = devAccounts[15];
    const registry = node.manifest.contracts.KeyRegistry.address;
    const { key } = await registered(owner, "delegated", dir);
    await increaseTime(node.rpcUrl, 7 * day + 60);
    // Not appointed yet: the bot may not rotate the owner's key.
    expect(await rotateDueKeys(options(dir, bot))).toEqual([{ action: "skipped", keyId: key.keyId, reason: "not-owner" }]);

    const appoint = await wallet(owner).writeContract({ address: registry, abi: keyRegistryAbi, functionName: "setRotator", args: [bot] });
    await clients().publicClient.waitForTransactionReceipt({ hash: appoint });
    expect(await rotateDueKeys(options(dir, stranger))).toEqual([{ action: "skipped", keyId: key.keyId, reason: "not-owner" }]);
    const [rotated] = await rotateDueKeys(options(dir, bot));
    expect(rotated).toMatchObject({ action: "rotated", oldKeyId: key.keyId, version: 2 });
    if (rotated?.action !== "rotated") throw new Error("not rotated");
    // The owner's key, in the owner's namespace, though the bot sent the transaction.
    expect(rotated.keyId.slice(0, 42)).toBe(owner.toLowerCase());
    expect(await getKey(rotated.keyId)).toMatchObject({ owner, version: 2 });
    expect(readKeyFile({ path: rotated.file }).keyId).toBe(rotated.keyId);
  });

  it("startRotationAgent rotates on its own passes, reports each action once, and stops", async () => {
    const dir = keyDir();
    const owner = devAccounts[11];
    const { key } = await registered(owner, "looping", dir);
    await increaseTime(node.rpcUrl, 8 * day);
    const seen: RotationAction[] = [];
    const running = startRotationAgent({ ...options(dir, owner), intervalMs: 200, onAction: (a) => seen.push(a) });
    const deadline = Date.now() + 20_000;
    while (running.passes < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await running.stop();
    expect(running.passes).toBeGreaterThanOrEqual(3);
    expect(only(seen, "rotated").map((a) => a.oldKeyId)).toEqual([key.keyId]);
    expect(() => startRotationAgent({ ...options(dir, owner), intervalMs: 10 })).toThrow(InvalidAgentOptionError);
  });

  it("encrypted key files: rotated with the passphrase, the new version written encrypted; without it the pass fails closed", async () => {
    const dir = keyDir();
    const owner = devAccounts[17];
    const passphrase = "agent test passphrase";
    const { key, notBefore, expiresAt } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label: "sealed" });
    writeKeyFile({ path: join(dir, "sealed.v1.key.json"), key: { ...key, version: 1, notBefore, expiresAt }, passphrase, scryptN: 2 ** 14 });
    await increaseTime(node.rpcUrl, 8 * day);
    const [locked] = await rotateDueKeys(options(dir, owner));
    expect(locked).toMatchObject({ action: "failed", error: expect.stringMatching(/encrypted: a passphrase is needed/) });
    expect(await getKey(key.keyId)).toMatchObject({ rotated: false });

    const [rotated] = await rotateDueKeys({ ...options(dir, owner), passphrase });
    expect(rotated).toMatchObject({ action: "rotated", oldKeyId: key.keyId, version: 2 });
    if (rotated?.action !== "rotated") throw new Error("not rotated");
    const text = readFileSync(rotated.file, "utf8");
    expect(JSON.parse(text).encryptedPrivateKey).toBeDefined();
    expect(JSON.parse(text).privateKey).toBeUndefined();
    expect(readKeyFile({ path: rotated.file, passphrase }).privateKey).toBeDefined();
  });

  it("skips keys it may not rotate and refuses bad options with a specific error", async () => {
    const dir = keyDir();
    const { key } = await registered(devAccounts[8], "theirs", dir);
    const unregistered = await generateKey({ alg: "ed25519", label: "never" });
    writeKeyFile({ path: join(dir, "never.key.json"), key: unregistered });
    writeFileSync(join(dir, "public.key.json"), JSON.stringify({ ...unregistered, privateKey: undefined }), { mode: 0o644 });
    const actions = await rotateDueKeys(options(dir, devAccounts[9]));
    expect(actions).toContainEqual({ action: "skipped", keyId: key.keyId, reason: "not-owner" });
    expect(actions).toContainEqual({ action: "skipped", keyId: unregistered.keyId, reason: "not-registered" });
    expect(actions).toContainEqual({ action: "skipped", keyId: unregistered.keyId, reason: "public-only" });

    const bad = [
      { schedule: { everySeconds: 0 } },
      { schedule: { lifetimeFraction: 1 } },
      { schedule: {} },
      { overlapSeconds: -1 },
      { lifetimeSeconds: 1.5 },
      { directory: join(dir, "missing") },
      { registry: "0x1234" },
    ];
    for (const override of bad) {
      await expect(rotateDueKeys({ ...options(dir, devAccounts[9]), ...override } as never)).rejects.toBeInstanceOf(InvalidAgentOptionError);
    }
  });

  it("keyledger agent --once rotates due keys and prints NDJSON; bad schedules exit 2", async () => {
    const dir = keyDir();
    const { key } = await registered(devAccounts[10], "cli-bot", dir);
    const env = { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath };
    const account = "10";
    const notDue = await runCli(["agent", "--dir", dir, "--rotate-at", "50%", "--overlap", "1h", "--once", "--json", "--dev-account", account], { env });
    expect(notDue.code).toBe(0);
    expect(JSON.parse(notDue.stdout.trim())).toMatchObject({ action: "not-due", keyId: key.keyId });

    await increaseTime(node.rpcUrl, 16 * day);
    const r = await runCli(["agent", "--dir", dir, "--rotate-at", "50%", "--overlap", "1h", "--once", "--json", "--dev-account", account], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ action: "rotated", oldKeyId: key.keyId, version: 2, file: join(dir, "cli-bot.v2.key.json") })]);
    expect(r.stdout).not.toContain('"d"');

    for (const args of [
      ["--rotate-every", "30d", "--rotate-at", "80%"],
      ["--rotate-at", "150%"],
      ["--rotate-every", "soon"],
      [],
    ]) {
      const bad = await runCli(["agent", "--dir", dir, "--overlap", "1h", "--once", "--dev-account", account, ...args], { env });
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stderr).toMatch(/rotate-every|rotate-at/);
    }
  });

  it("keyledger agent --webhook posts each rotation, signed so that the receiver's verifier accepts it", async () => {
    const dir = keyDir();
    const { key } = await registered(devAccounts[12], "hooked", dir);
    const hookKey = await generateKey({ alg: "ed25519", label: "agent-webhooks" });
    const hookKeyPath = join(keyDir(), "hook.key.json");
    writeKeyFile({ path: hookKeyPath, key: hookKey });
    const verifier = createVerifier({ keys: staticKeyResolver({ [hookKey.keyId]: { alg: "ed25519", publicKey: hookKey.publicKey, scopes: [] } }) });
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const receiver = createServer(async (req, res) => {
      const body = await readRawBody(req, { limit: 65_536 });
      const verdict = await verifyNodeRequest({ verifier, request: req, body });
      if (verdict.ok) events.push(JSON.parse(Buffer.from(body).toString("utf8")));
      res.writeHead(verdict.ok ? 204 : 401).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      await increaseTime(node.rpcUrl, 8 * day);
      const env = { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath };
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const r = await runCli(["agent", "--dir", dir, "--rotate-every", "7d", "--overlap", "1h", "--once", "--dev-account", "12", "--webhook", url, "--webhook-key", hookKeyPath], { env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(events).toEqual([expect.objectContaining({ type: "agent.key-rotated", data: expect.objectContaining({ oldKeyId: key.keyId, version: 2, chainId: 31337 }) })]);
      const half = await runCli(["agent", "--dir", dir, "--rotate-every", "7d", "--overlap", "1h", "--once", "--dev-account", "12", "--webhook", url], { env });
      expect(half.code).toBe(2);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
