// The relayer (POST /v1/relay) end to end: a real hardhat node, the real API through
// startApiServer, the real CLI. The owners are fresh random keys that never hold ETH;
// the relayer is dev account 10, with its private key handed over as the server takes it.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, type Hex, http, type PublicClient, toHex } from "viem";
import { generatePrivateKey, mnemonicToAccount, nonceManager, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelayPayload, RelayError, relayRegistryOperation, signRegistryOperation } from "../../src/chain/signedOperations/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, computeKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { readKeyFile } from "../../src/signer/node.ts";
import { root, runCli } from "../cli/runCli.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";

// Hardhat's well-known dev mnemonic: public test keys, never real funds.
const devKey = (index: number): Hex =>
  toHex(mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index }).getHdKey().privateKey!);
const relayerKey = devKey(10);
const relayerAddress = devAccounts[10];
// The server process of the last tests relays from its own account (two senders of one account would race nonces).
const processRelayerKey = devKey(11);
const processRelayerAddress = devAccounts[11];
const ownerLimit = 6;

let node: LocalNode;
let api: StartApiServerReturnType;
let client: PublicClient;
let dir: string;
let env: Record<string, string>;
const logs: string[] = [];
/** Every answer body and CLI output, to prove the relayer's key is in none of them. */
const seen: string[] = [];

beforeAll(async () => {
  node = await startLocalNode();
  client = createPublicClient({ transport: http(node.rpcUrl) });
  dir = mkdtempSync(join(tmpdir(), "keyledger-relay-"));
  env = { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath };
  api = await startApiServer({
    rpcUrl: node.rpcUrl,
    manifest: node.manifest,
    port: 0,
    log: (line) => logs.push(line),
    relay: { account: privateKeyToAccount(relayerKey, { nonceManager }), ownerRateLimit: { limit: ownerLimit, windowSeconds: 60 } },
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const registry = () => node.manifest.contracts.KeyRegistry.address;

async function cli(args: string[], extra: { env?: Record<string, string>; input?: string } = {}) {
  const result = await runCli(args, { env: { ...env, ...extra.env }, input: extra.input });
  seen.push(result.stdout, result.stderr);
  return { ...result, json: () => JSON.parse(result.stdout) };
}

/** POSTs to the relayer as any client would. */
async function post(body: unknown, init: { contentType?: string; raw?: string } = {}) {
  const response = await fetch(`${api.url}/v1/relay`, {
    method: "POST",
    headers: { "content-type": init.contentType ?? "application/json" },
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
}

/** A fresh key file written as `keygen` writes it (owner-free id), 0600. */
async function keyFile(label: string, alg: KeyFile["alg"] = "ed25519"): Promise<{ path: string; key: KeyFile }> {
  const key = await generateKey({ alg, label });
  const path = join(dir, `${label}-${key.keyId.slice(2, 10)}.key.json`);
  writeFileSync(path, JSON.stringify(key), { mode: 0o600 });
  return { path, key };
}

function freshWallet() {
  const privateKey = generatePrivateKey();
  return { privateKey, account: privateKeyToAccount(privateKey), env: { KEYLEDGER_PRIVATE_KEY: privateKey } };
}

/** What the verifier says about a request signed with the key file at `path`, once the index has caught up. */
async function verdict(path: string, expected: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const key = readKeyFile({ path });
  let last = { status: 0, body: {} as Record<string, unknown> };
  for (let i = 0; i < 60; i++) {
    const response = await fetch(await signRequest(new Request(`${api.url}/v1/prices`), { key }));
    last = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    if (last.status === expected) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

async function chainTime(): Promise<number> {
  return Number((await client.getBlock({ blockTag: "latest" })).timestamp);
}

/** A registerFor payload signed by `account` for a new key (proof of possession for that owner). */
async function signedRegister(account: ReturnType<typeof privateKeyToAccount>, { deadline, label = "sdk" }: { deadline?: bigint; label?: string } = {}) {
  const now = await chainTime();
  const key = await generateKey({ label });
  const proof = await signProofOfPossession({ key, chainId: 31337, registry: registry(), owner: account.address });
  const payload = await signRegistryOperation({
    client,
    signer: account,
    registry: registry(),
    deadline: deadline ?? BigInt(now + 3600),
    operation: {
      operation: "register",
      label,
      key: {
        algorithm: algorithmToChain(key.alg),
        publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
        scopes: 1,
        notBefore: now,
        expiresAt: now + 86_400,
        proof,
      },
    },
  });
  return { key: bindKeyId({ key, owner: account.address }), payload };
}

describe("relayer: a wallet without ETH manages its keys through POST /v1/relay", () => {
  it("registers, rotates, extends and revokes with the CLI's --relay; the verifier follows; the wallet stays at 0 ETH", async () => {
    const wallet = freshWallet();
    const owner = wallet.account.address;
    expect(await client.getBalance({ address: owner })).toBe(0n);
    const relayerBalance = await client.getBalance({ address: relayerAddress });

    // register --relay: same output as the direct command, and the key file gets the registry id.
    const v1 = await keyFile("gasless");
    const reg = await cli(["register", "--key", v1.path, "--scopes", "read", "--relay", api.url, "--json"], { env: wallet.env });
    expect(reg.stderr).toBe("");
    expect(reg.code).toBe(0);
    const v1Id = computeKeyId({ publicKey: v1.key.publicKey, owner });
    expect(reg.json()).toMatchObject({ keyId: v1Id, version: 1, owner, label: "gasless", scopes: ["read"], transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(JSON.parse(readFileSync(v1.path, "utf8")).keyId).toBe(v1Id);
    const tx = await client.getTransaction({ hash: reg.json().transactionHash });
    expect(tx.from.toLowerCase()).toBe(relayerAddress.toLowerCase());
    expect(await verdict(v1.path, 200)).toMatchObject({ status: 200 });

    // Human output of the direct command, marked as relayed.
    const v2 = await keyFile("gasless", "ecdsa-p256-sha256");
    const rot = await cli(["rotate", v1Id, "--key", v2.path, "--overlap", "1h", "--relay", api.url], { env: wallet.env });
    expect(rot.code).toBe(0);
    const v2Id = computeKeyId({ publicKey: v2.key.publicKey, owner });
    expect(rot.stdout).toContain(`rotated ${v1Id}`);
    expect(rot.stdout).toContain(`to ${v2Id} (version 2; written into ${v2.path})`);
    expect(JSON.parse(readFileSync(v2.path, "utf8")).keyId).toBe(v2Id);
    expect(await verdict(v2.path, 200)).toMatchObject({ status: 200 });
    // The old version is still valid during its overlap.
    expect((await verdict(v1.path, 200)).status).toBe(200);

    const ext = await cli(["extend-overlap", v1Id, "--overlap", "2h", "--relay", api.url, "--json"], { env: wallet.env });
    expect(ext.code).toBe(0);
    expect(ext.json()).toMatchObject({ keyId: v1Id, expiresAt: expect.any(Number) });

    const rev = await cli(["revoke", v2Id, "--reason", "done", "--relay", api.url, "--json"], { env: wallet.env });
    expect(rev.code).toBe(0);
    expect(rev.json()).toMatchObject({ revoked: [v2Id], reason: "done", transactions: [{ keyIds: [v2Id] }] });
    expect(await verdict(v2.path, 401)).toMatchObject({ status: 401, body: { error: "key-revoked" } });

    // Four signed operations, all paid by the relayer.
    expect(await client.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "nonces", args: [owner] })).toBe(4n);
    expect(await client.getBalance({ address: owner })).toBe(0n);
    expect(await client.getBalance({ address: relayerAddress })).toBeLessThan(relayerBalance);
  }, 120_000);

  it("--sign-only prints a payload that `keyledger relay` submits later (file and stdin)", async () => {
    const wallet = freshWallet();
    const owner = wallet.account.address;
    const k = await keyFile("offline");
    const signed = await cli(["register", "--key", k.path, "--scopes", "read", "--sign-only", "--deadline", "10m"], { env: wallet.env });
    expect(signed.code).toBe(0);
    const payload = signed.json();
    const keyId = computeKeyId({ publicKey: k.key.publicKey, owner });
    expect(payload).toMatchObject({ operation: "register", chainId: 31337, registry: registry(), owner, nonce: "0", label: "offline", signature: expect.stringMatching(/^0x[0-9a-f]{130}$/) });
    expect(Number(payload.deadline) - (await chainTime())).toBeGreaterThan(590);
    expect(Number(payload.deadline) - (await chainTime())).toBeLessThanOrEqual(600);
    expect(signed.stderr).toContain("nothing was sent");
    // Nothing was sent: the nonce has not moved and the key is not registered.
    expect(await client.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "nonces", args: [owner] })).toBe(0n);
    expect(JSON.parse(readFileSync(k.path, "utf8")).keyId).toBe(keyId);

    const file = join(dir, "register.json");
    writeFileSync(file, signed.stdout);
    const relayed = await cli(["relay", file, "--relay", api.url, "--json"]);
    expect(relayed.stderr).toBe("");
    expect(relayed.code).toBe(0);
    expect(relayed.json()).toMatchObject({ operation: "register", owner, nonce: "0", status: "mined", keyId, blockNumber: expect.any(Number) });
    expect(await verdict(k.path, 200)).toMatchObject({ status: 200 });

    // The same payload again: its nonce is used up.
    const again = await cli(["relay", file, "--relay", api.url, "--json"]);
    expect(again.code).toBe(4);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: "nonce-used", exitCode: 4 });

    // A revoke signed offline, piped through stdin.
    const revoke = await cli(["revoke", keyId, "--reason", "offline revoke", "--sign-only"], { env: wallet.env });
    expect(revoke.code).toBe(0);
    expect(revoke.json()).toMatchObject({ operation: "revoke", keyId, reason: "offline revoke", nonce: "1" });
    const piped = await cli(["relay", "-", "--relay", `${api.url}/v1/relay`], { input: revoke.stdout });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain(`relayed revoke for ${owner} (nonce 1)`);
    expect(await verdict(k.path, 401)).toMatchObject({ status: 401, body: { error: "key-revoked" } });
    expect(await client.getBalance({ address: owner })).toBe(0n);
  }, 120_000);

  it("the SDK signs and relays; relayRegistryOperation throws RelayError with the relayer's code", async () => {
    const { account } = freshWallet();
    const { key, payload } = await signedRegister(account);
    const done = await relayRegistryOperation({ relayUrl: api.url, payload });
    expect(done).toMatchObject({ operation: "register", owner: account.address, nonce: "0", status: "mined", keyId: key.keyId });
    const receipt = await client.getTransactionReceipt({ hash: done.transactionHash });
    expect(receipt.status).toBe("success");
    const error = await relayRegistryOperation({ relayUrl: api.url, payload }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toMatchObject({ code: "nonce-used", status: 409 });
    const unreachable = await relayRegistryOperation({ relayUrl: "http://127.0.0.1:9", payload }).catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ code: "relay-unreachable", status: 0 });
  }, 60_000);
});

describe("relayer refusals: nothing is sent", () => {
  it("refuses an expired deadline with SignatureExpired", async () => {
    const { account } = freshWallet();
    const { payload } = await signedRegister(account, { deadline: BigInt((await chainTime()) - 10) });
    const r = await post(payload);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ error: "SignatureExpired", args: [payload.deadline, expect.any(String)] });
    // The CLI reports it by name too.
    const file = join(dir, "expired.json");
    writeFileSync(file, JSON.stringify(payload));
    const c = await cli(["relay", file, "--relay", api.url]);
    expect(c.code).toBe(4);
    expect(c.stderr).toContain("SignatureExpired(");
    expect(c.stderr).toContain("sign it again");
  });

  it("refuses a replayed payload: nonce-used with the nonce, InvalidSignature without it", async () => {
    const { account } = freshWallet();
    const { payload } = await signedRegister(account);
    expect((await post(payload)).status).toBe(200);
    const replay = await post(payload);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ error: "nonce-used", nonce: "1" });
    const { nonce: _nonce, ...withoutNonce } = payload;
    const blind = await post(withoutNonce);
    expect(blind.status).toBe(422);
    expect(blind.body).toMatchObject({ error: "InvalidSignature", args: [account.address] });
    // A payload signed with a nonce ahead of the chain's.
    const ahead = await signRegistryOperation({ client, signer: account, registry: registry(), deadline: BigInt((await chainTime()) + 600), nonce: 5n, operation: { operation: "setRotator", rotator: devAccounts[3] } });
    const r = await post(ahead);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: "nonce-ahead", nonce: "1" });
  });

  it("refuses a tampered field with InvalidSignature (checked off-chain before any simulation)", async () => {
    const { account } = freshWallet();
    const { payload } = await signedRegister(account);
    const tampered: RelayPayload[] = [
      { ...payload, label: "other" } as RelayPayload,
      { ...payload, deadline: String(BigInt(payload.deadline) + 1n) },
      { ...payload, key: { ...(payload as { key: { scopes: number } }).key, scopes: 3 } } as RelayPayload,
      { ...payload, owner: freshWallet().account.address, nonce: undefined },
    ];
    for (const body of tampered) {
      const r = await post(body);
      expect(r.status).toBe(422);
      expect(r.body.error).toBe("InvalidSignature");
    }
    // A signature for another registry says so before judging the signature.
    const wrong = await post({ ...payload, registry: devAccounts[5] });
    expect(wrong).toMatchObject({ status: 400, body: { error: "wrong-registry", field: "registry" } });
    const chain = await post({ ...payload, chainId: 1 });
    expect(chain).toMatchObject({ status: 400, body: { error: "wrong-chain", field: "chainId" } });
    // The untouched payload still goes through: none of the refusals used its nonce.
    expect((await post(payload)).status).toBe(200);
  });

  it("refuses a registry error found by simulation with its decoded name (KeyAlreadyRegistered)", async () => {
    const { account } = freshWallet();
    const first = await signedRegister(account);
    expect((await post(first.payload)).status).toBe(200);
    // The same key again, signed with the next nonce: the registry refuses the id.
    const { nonce: _n, signature: _s, chainId: _c, registry: _r, owner: _o, deadline, ...operation } = first.payload;
    const again = await signRegistryOperation({ client, signer: account, registry: registry(), deadline: BigInt(deadline), operation: operation as never });
    const r = await post(again);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ error: "KeyAlreadyRegistered", args: [first.key.keyId] });
    expect(await client.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "nonces", args: [account.address] })).toBe(1n);
  });

  it("refuses malformed bodies, unknown operations and fields with a code and the field", async () => {
    const { account } = freshWallet();
    const { payload } = await signedRegister(account);
    expect(await post(undefined, { raw: "{not json" })).toMatchObject({ status: 400, body: { error: "malformed-json" } });
    expect(await post(undefined, { raw: "[1,2]" })).toMatchObject({ status: 400, body: { error: "invalid-body" } });
    expect(await post(payload, { contentType: "text/plain" })).toMatchObject({ status: 415, body: { error: "unsupported-media-type" } });
    expect(await post({ ...payload, operation: "transfer" })).toMatchObject({ status: 400, body: { error: "unknown-operation", field: "operation" } });
    expect(await post({ ...payload, operation: undefined })).toMatchObject({ status: 400, body: { error: "missing-field", field: "operation" } });
    expect(await post({ ...payload, gasPrice: "1" })).toMatchObject({ status: 400, body: { error: "unknown-field", field: "gasPrice" } });
    expect(await post({ ...payload, keyId: payload.owner })).toMatchObject({ status: 400, body: { error: "unknown-field", field: "keyId" } });
    const { signature: _s, ...unsigned } = payload;
    expect(await post(unsigned)).toMatchObject({ status: 400, body: { error: "missing-field", field: "signature" } });
    const bad: [Record<string, unknown>, string][] = [
      [{ owner: "0x1234" }, "owner"],
      [{ owner: payload.owner.toUpperCase().replace("0X", "0x") }, "owner"],
      [{ deadline: -1 }, "deadline"],
      [{ deadline: "1e9" }, "deadline"],
      [{ deadline: (2n ** 256n).toString() }, "deadline"],
      [{ signature: "0xzz" }, "signature"],
      [{ signature: `0x${"ab".repeat(4096)}` }, "signature"],
      [{ chainId: "31337" }, "chainId"],
      [{ label: "" }, "label"],
      [{ label: "x".repeat(65) }, "label"],
      [{ key: "0x" }, "key"],
      [{ key: { ...(payload as { key: object }).key, algorithm: 0 } }, "key.algorithm"],
      [{ key: { ...(payload as { key: object }).key, scopes: 256 } }, "key.scopes"],
      [{ key: { ...(payload as { key: object }).key, notBefore: 2 ** 32 } }, "key.notBefore"],
      [{ key: { ...(payload as { key: object }).key, proof: "0x00" } }, "key.proof"],
      [{ key: { ...(payload as { key: object }).key, publicKey: `0x${"11".repeat(31)}` } }, "key.publicKey"],
      [{ key: { ...(payload as { key: object }).key, extra: 1 } }, "key.extra"],
    ];
    for (const [change, field] of bad) {
      const r = await post({ ...payload, ...change });
      expect(r.status, field).toBe(400);
      expect(r.body, field).toMatchObject({ error: expect.stringMatching(/^(invalid-field|unknown-field)$/), field, message: expect.any(String) });
    }
    const revokeShape = { operation: "revoke", owner: payload.owner, deadline: payload.deadline, signature: payload.signature, keyId: `0x${"00".repeat(32)}`, reason: "x".repeat(257) };
    expect(await post(revokeShape)).toMatchObject({ status: 400, body: { error: "invalid-field", field: "reason" } });
    const get = await fetch(`${api.url}/v1/relay`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    // None of these touched the owner's nonce: the payload is still good.
    expect((await post(payload)).status).toBe(200);
  });

  it("answers 429 with Retry-After after the owner's limit; other owners are not affected", async () => {
    const { account } = freshWallet();
    const deadline = BigInt((await chainTime()) + 600);
    // Valid signatures over revocations of keys that do not exist: each passes the off-chain
    // checks (so it counts), then the simulation refuses it (KeyNotFound) and nothing is sent.
    const revokeMissing = (i: number) =>
      signRegistryOperation({ client, signer: account, registry: registry(), deadline, operation: { operation: "revoke", keyId: toHex(i + 1, { size: 32 }), reason: "none" } });
    for (let i = 0; i < ownerLimit; i++) {
      const r = await post(await revokeMissing(i));
      expect(r.status).toBe(422);
      expect(r.body.error).toBe("KeyNotFound");
    }
    const limited = await post(await revokeMissing(99));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: "rate-limited", scope: "owner", retryAfterSeconds: expect.any(Number) });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / ownerLimit + 1);
    // The SDK carries the code and the delay.
    const error = await relayRegistryOperation({ relayUrl: api.url, payload: await revokeMissing(100) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate-limited", status: 429, retryAfterSeconds: expect.any(Number) });
    // A forged payload naming this owner is refused as InvalidSignature, not counted.
    const forged = await post({ ...(await revokeMissing(101)), reason: "forged" });
    expect(forged.body.error).toBe("InvalidSignature");
    // Another owner still gets through.
    const other = await signedRegister(freshWallet().account);
    expect((await post(other.payload)).status).toBe(200);
  });
});

describe("relayer: operations, metrics and secrets", () => {
  it("counts relayed and refused operations in /metrics with bounded labels", async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    seen.push(text);
    expect(text).toMatch(/keyledger_relay_operations_total\{operation="register",result="mined"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_operations_total\{operation="revoke",result="mined"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_refused_total\{operation="register",reason="SignatureExpired"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_refused_total\{operation="register",reason="InvalidSignature"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_refused_total\{operation="revoke",reason="rate-limited"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_refused_total\{operation="invalid",reason="malformed-json"\} [1-9]/);
    expect(text).toMatch(/keyledger_relay_refused_total\{operation="invalid",reason="unknown-operation"\} [1-9]/);
    // Nothing the caller typed becomes a label ("transfer" was refused as unknown-operation).
    expect(text).not.toContain('operation="transfer"');
    expect(text).toMatch(/keyledger_api_request_duration_seconds_count\{route="\/v1\/relay",method="POST",status="200"\} [1-9]/);
  });

  it("a server without --relay answers 404 relay-disabled", async () => {
    const plain = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0 });
    try {
      const r = await fetch(`${plain.url}/v1/relay`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: "relay-disabled" });
      const wallet = freshWallet();
      const k = await keyFile("nowhere");
      const c = await cli(["register", "--key", k.path, "--scopes", "read", "--relay", plain.url, "--json"], { env: wallet.env });
      expect(c.code).toBe(3);
      expect(JSON.parse(c.stderr)).toMatchObject({ error: "relay-disabled" });
    } finally {
      await plain.close();
    }
  });

  it("the server process takes the relayer key from the environment only, says so in --help, and never prints it", async () => {
    const help = await runServer(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--relay");
    expect(help.stdout).toContain("OFF by default");
    expect(help.stdout).toContain("KEYLEDGER_RELAYER_PRIVATE_KEY");
    const missing = await runServer(["--relay", "--port", "0"], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("KEYLEDGER_RELAYER_PRIVATE_KEY");
    const badKey = `0x${"zz".repeat(32)}`;
    const bad = await runServer(["--relay", "--port", "0"], { KEYLEDGER_RELAYER_PRIVATE_KEY: badKey });
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain(badKey);
    const workers = await runServer(["--relay", "--workers", "2", "--redis", "redis://127.0.0.1:1"], { KEYLEDGER_RELAYER_PRIVATE_KEY: relayerKey });
    expect(workers.code).toBe(2);
    expect(workers.stderr).toContain("single process");

    // A real start: it relays one operation, then stops on SIGTERM.
    const child = spawn(process.execPath, [join(root, "src/server/main.ts"), "--relay", "--port", "0", "--relay-owner-limit", "3/1m"], {
      cwd: root,
      env: { ...cleanEnv(), ...env, KEYLEDGER_RELAYER_PRIVATE_KEY: processRelayerKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL: ${stderr}`)), 60_000);
        child.stdout.on("data", () => {
          const m = /^(http:\/\/\S+)$/m.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const { account } = freshWallet();
      const { payload } = await signedRegister(account);
      const done = await relayRegistryOperation({ relayUrl: url, payload });
      expect(done.status).toBe("mined");
      expect((await client.getTransaction({ hash: done.transactionHash })).from.toLowerCase()).toBe(processRelayerAddress.toLowerCase());
      expect(stderr).toContain(`from ${processRelayerAddress}`);
      expect(stderr).toContain("per owner 3/60s");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
    }
    for (const text of [help.stdout, help.stderr, missing.stderr, bad.stderr, workers.stderr, stdout, stderr]) seen.push(text);
  }, 120_000);

  it("the relayer's private key appears in no log line, answer or output", () => {
    expect(seen.length).toBeGreaterThan(50);
    for (const secret of [relayerKey, processRelayerKey]) {
      const key = secret.slice(2).toLowerCase();
      for (const text of [...logs, ...seen]) expect(text.toLowerCase()).not.toContain(key);
    }
    expect(logs.join("\n")).toContain(`from ${relayerAddress}`);
  });
});

function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KEYLEDGER_")));
}

function runServer(args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, "src/server/main.ts"), ...args], { cwd: root, env: { ...cleanEnv(), ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}
