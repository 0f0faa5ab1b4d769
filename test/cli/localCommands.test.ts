import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeKeyId, type KeyFile } from "../../src/keys/index.ts";
import { createApiServer, type ApiServer } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { readKeyFile } from "../../src/signer/node.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { runCli } from "./runCli.ts";

const commands = [
  "keygen",
  "keyid",
  "register",
  "rotate",
  "extend-overlap",
  "revoke",
  "status",
  "watch",
  "suspend",
  "propose-revoke",
  "proposal show",
  "proposal list",
  "proposal vote",
  "proposal queue",
  "proposal execute",
  "request",
  "verify",
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyledger-cli-local-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function keygen(label: string, extra: string[] = []): Promise<{ path: string; publicPath: string; key: KeyFile }> {
  const path = join(dir, `${label}.key.json`);
  const publicPath = join(dir, `${label}.pub.json`);
  // Plaintext here: these tests are about key ids and verdicts (encryption has its own tests below).
  const r = await runCli(["keygen", "--label", label, "--out", path, "--public-out", publicPath, "--plaintext", "--json", ...extra]);
  expect(r.code).toBe(0);
  return { path, publicPath, key: readKeyFile({ path }) };
}

describe("help and usage", () => {
  it("prints the command list and the exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*2 +usage error[\s\S]*3 +chain[\s\S]*4 +the chain refused[\s\S]*5 +key file/);
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
  });

  it("every command's --help shows usage, options and examples", async () => {
    const results = await Promise.all(commands.map((command) => runCli([...command.split(" "), "--help"])));
    results.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout).toContain(`keyledger ${commands[i]}:`);
      expect(r.stdout).toContain("Usage:");
      expect(r.stdout).toContain("--json");
      expect(r.stdout).toContain("Examples:");
    });
  });

  it("exits 2 on usage errors, before touching the network", async () => {
    const cases: [string[], string][] = [
      [["frobnicate"], 'Unknown command "frobnicate"'],
      [["status", "--bogus"], "Unknown option '--bogus'"],
      [["status", "0x1234"], "is not a key id"],
      [["rotate", `0x${"ab".repeat(32)}`, "--key", "k.json"], "--overlap is required"],
      [["rotate", `0x${"ab".repeat(32)}`, "--key", "k.json", "--overlap", "soon"], 'is not a duration'],
      [["proposal"], "Usage: keyledger proposal"],
      [["proposal", "vote", "12", "--support", "maybe"], "--support must be for, against or abstain"],
      [["keygen", "--label", "x", "--out", join(dir, "x.json"), "--alg", "rsa"], 'unknown --alg "rsa"'],
      [["keygen", "--label", "x".repeat(65), "--out", join(dir, "y.json")], "label must be 1..64 bytes"],
      [["revoke"], "name at least one key id, or --label"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { env: { KEYLEDGER_RPC_URL: "http://127.0.0.1:9" } })));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout + r.stderr, args.join(" ")).toContain(message);
    });
    const json = await runCli(["status", "nope", "--json"]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: "usage", exitCode: 2 });
  });
});

describe("keygen and keyid", () => {
  it("writes a 0600 key file, prints the key id and never the private key", async () => {
    const path = join(dir, "secret.key.json");
    const r = await runCli(["keygen", "--label", "secret", "--out", path, "--plaintext"]);
    expect(r.code).toBe(0);
    const key = readKeyFile({ path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain(key.keyId);
    expect(r.stdout + r.stderr).not.toContain(key.privateKey!.d!);

    const again = await runCli(["keygen", "--label", "secret", "--out", path, "--plaintext"]);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain("already exists; pass --force");
    expect(readKeyFile({ path }).keyId).toBe(key.keyId);
    const forced = await runCli(["keygen", "--label", "secret", "--out", path, "--force", "--plaintext", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).keyId).not.toBe(key.keyId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it.each(["ed25519", "ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"])("computes the same %s key id from a file, a JWK and raw hex", async (alg) => {
    const { path, publicPath, key } = await keygen(`id-${alg}`, ["--alg", alg]);
    const fromFile = JSON.parse((await runCli(["keyid", path, "--json"])).stdout);
    expect(fromFile).toMatchObject({ keyId: key.keyId, alg });
    expect((await runCli(["keyid", publicPath])).stdout.trim()).toBe(key.keyId);
    expect((await runCli(["keyid", JSON.stringify(key.publicKey)])).stdout.trim()).toBe(key.keyId);
    expect((await runCli(["keyid", fromFile.publicKey])).stdout.trim()).toBe(key.keyId);
  });

  it("computes the registry id with --owner and records it in a key file with --write (encrypted files stay encrypted)", async () => {
    const owner = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const path = join(dir, "for-dapp.key.json");
    expect((await runCli(["keygen", "--label", "for-dapp", "--out", path], { env: { KEYLEDGER_KEY_PASSPHRASE: "a long passphrase" } })).code).toBe(0);
    const before = JSON.parse(readFileSync(path, "utf8"));
    const expected = computeKeyId({ publicKey: before.publicKey, owner });
    const shown = JSON.parse((await runCli(["keyid", path, "--owner", owner, "--json"])).stdout);
    expect(shown).toMatchObject({ keyId: expected, ownerFreeKeyId: before.keyId, owner });
    expect(JSON.parse(readFileSync(path, "utf8")).keyId).toBe(before.keyId);
    const written = await runCli(["keyid", path, "--owner", owner, "--write", "--json"]);
    expect(written.code).toBe(0);
    const after = JSON.parse(readFileSync(path, "utf8"));
    expect(after).toMatchObject({ keyId: expected, encryptedPrivateKey: before.encryptedPrivateKey });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The registered file is still a valid key file that decrypts, and keyid accepts it.
    expect(readKeyFile({ path, passphrase: "a long passphrase" }).keyId).toBe(expected);
    expect((await runCli(["keyid", path])).code).toBe(0);
    expect((await runCli(["keyid", path, "--write"])).code).toBe(2);
    expect((await runCli(["keyid", path, "--owner", "not-an-address"])).code).toBe(2);
  });

  it("reads the key passphrase from a file descriptor (KEYLEDGER_KEY_PASSPHRASE_FD), never from argv", async () => {
    const path = join(dir, "from-fd.key.json");
    // fd 0 is the pipe the test writes to; `3< file` or a pipe work the same way.
    const made = await runCli(["keygen", "--label", "from-fd", "--out", path, "--json"], { env: { KEYLEDGER_KEY_PASSPHRASE_FD: "0" }, input: "passphrase via a pipe\nignored second line\n" });
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ encrypted: true });
    expect(readKeyFile({ path, passphrase: "passphrase via a pipe" }).privateKey).toBeDefined();
    expect(made.stdout + made.stderr).not.toContain("passphrase via a pipe");
    const bad = await runCli(["keygen", "--label", "x", "--out", join(dir, "bad-fd.key.json")], { env: { KEYLEDGER_KEY_PASSPHRASE_FD: "stdin" } });
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain("KEYLEDGER_KEY_PASSPHRASE_FD must be a file descriptor number");
    const empty = await runCli(["keygen", "--label", "x", "--out", join(dir, "empty-fd.key.json")], { env: { KEYLEDGER_KEY_PASSPHRASE_FD: "0" }, input: "" });
    expect(empty.code).toBe(5);
    expect(empty.stderr).toContain("gave an empty passphrase");
  });

  it("refuses a key file whose key id does not match its public key", async () => {
    const { publicPath } = await keygen("tampered");
    const file = JSON.parse(readFileSync(publicPath, "utf8"));
    writeFileSync(publicPath, JSON.stringify({ ...file, keyId: `0x${"00".repeat(32)}` }));
    const r = await runCli(["keyid", publicPath]);
    expect(r.code).toBe(5);
  });
});

describe("verify (raw HTTP request on stdin)", () => {
  async function rawRequest(key: KeyFile, body: string) {
    const signed = await signRequest(
      { method: "POST", url: "https://api.example.com/v1/orders?account=7", headers: { "content-type": "application/json" }, body },
      { key },
    );
    const lines = ["POST /v1/orders?account=7 HTTP/1.1", "Host: api.example.com"];
    for (const [name, value] of Object.entries(signed.headers as Record<string, string>)) lines.push(`${name}: ${value}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    return `${lines.join("\r\n")}\r\n\r\n${body}`;
  }

  it("accepts a signed request (exit 0) and rejects a tampered one (exit 1)", async () => {
    const { path, publicPath, key } = await keygen("verify");
    const body = '{"symbol":"ETH-USD","side":"buy","qty":1}';
    const input = await rawRequest(readKeyFile({ path }), body);
    const ok = await runCli(["verify", "--key", publicPath, "--scopes", "trade"], { input });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, keyId: key.keyId, alg: "ed25519", label: "verify" });

    const tampered = await runCli(["verify", "--key", publicPath], { input: input.replace('"qty":1', '"qty":9') });
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, reason: "digest-mismatch" });

    const scoped = await runCli(["verify", "--key", publicPath, "--key-scopes", "read", "--scopes", "trade"], { input });
    expect(scoped.code).toBe(1);
    expect(JSON.parse(scoped.stdout).reason).toBe("insufficient-scope");

    const late = await runCli(["verify", "--key", publicPath, "--at", String(Math.floor(Date.now() / 1000) + 3600)], { input });
    expect(JSON.parse(late.stdout).reason).toBe("expired-request");

    const other = await keygen("verify-other");
    const wrongKey = await runCli(["verify", "--key", other.publicPath], { input });
    expect(JSON.parse(wrongKey.stdout).reason).toBe("unknown-key");

    const garbage = await runCli(["verify", "--key", publicPath], { input: "hello\r\n\r\n" });
    expect(garbage.code).toBe(2);
  });
});

describe("request (signed curl)", () => {
  let api: ApiServer;
  let reader: { path: string; key: KeyFile };
  let trader: { path: string; key: KeyFile };

  beforeAll(async () => {
    reader = await keygen("reader");
    trader = await keygen("trader", ["--alg", "ecdsa-p256-sha256"]);
    const keys = staticKeyResolver({
      [reader.key.keyId]: { alg: reader.key.alg, publicKey: reader.key.publicKey, scopes: ["read"] },
      [trader.key.keyId]: { alg: trader.key.alg, publicKey: trader.key.publicKey, scopes: ["read", "trade"] },
    });
    api = await createApiServer({ verifier: createVerifier({ keys }) });
  });
  afterAll(() => api?.close());

  it("signs GET and POST requests the reference server accepts", async () => {
    const prices = await runCli(["request", `${api.url}/v1/prices`, "--key", reader.path]);
    expect(prices.code).toBe(0);
    expect(prices.stdout).toMatch(/^HTTP 200 OK\n/);
    expect(prices.stdout).toContain("BTC-USD");

    const order = await runCli(["request", `${api.url}/v1/orders`, "--key", trader.path, "-d", '{"symbol":"ETH-USD","side":"sell","qty":0.5,"price":3500}', "--json"]);
    expect(order.code).toBe(0);
    expect(JSON.parse(order.stdout)).toMatchObject({ status: 201, body: { status: "accepted", type: "limit", side: "sell", keyId: trader.key.keyId } });

    const stdinBody = await runCli(["request", `${api.url}/v1/orders`, "--key", trader.path, "-X", "post", "-d", "@-", "-H", "Content-Type: application/json"], {
      input: '{"symbol":"BTC-USD","side":"buy","qty":1}',
    });
    expect(stdinBody.code).toBe(0);
  });

  it("exits 1 on a rejection and 3 when the server is unreachable", async () => {
    const forbidden = await runCli(["request", `${api.url}/v1/orders`, "--key", reader.path, "-d", '{"symbol":"ETH-USD","side":"buy","qty":1}', "-i"]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stdout).toMatch(/^HTTP 403 Forbidden\n/);
    expect(forbidden.stdout).toContain("content-type: application/json");
    expect(forbidden.stdout).toContain('"error":"insufficient-scope"');

    const down = await runCli(["request", "http://127.0.0.1:9/v1/prices", "--key", reader.path]);
    expect(down.code).toBe(3);
  });
});
