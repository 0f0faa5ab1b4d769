import { spawn } from "node:child_process";
import { createCipheriv, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, type Hex, hexToBytes, http, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindKeyId, generateKey, type KeyFile } from "../../src/keys/index.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { devStackEnvLine, writeDevStack } from "../../src/cli/devStack.ts";
import { root, runCli } from "./runCli.ts";

// Hardhat's well-known dev mnemonic: its keys are public test keys, never real funds.
const devKey = (index: number): Hex =>
  toHex(mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index }).getHdKey().privateKey!);

let node: LocalNode;
let dir: string;
let env: Record<string, string>;

/**
 * A fresh key file (owner-free id, as `keygen` writes it). `key` carries the registry id
 * that dev account `owner` gets for it: `register` writes that id into the file.
 */
async function keyFile(label: string, alg: KeyFile["alg"] = "ed25519", owner = 1): Promise<{ path: string; key: KeyFile }> {
  const key = await generateKey({ alg, label });
  const path = join(dir, `${label}-${key.keyId.slice(2, 10)}.key.json`);
  writeFileSync(path, JSON.stringify(key), { mode: 0o600 });
  return { path, key: bindKeyId({ key, owner: devAccounts[owner]! }) };
}

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const result = await runCli(args, { env: { ...env, ...extraEnv } });
  return { ...result, json: () => JSON.parse(result.stdout) };
}

beforeAll(async () => {
  node = await startLocalNode();
  dir = mkdtempSync(join(tmpdir(), "keyledger-cli-"));
  env = { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath };
});

afterAll(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("register / status / rotate / revoke", () => {
  it("registers with a proof of possession and reports the key as valid", async () => {
    const { path, key } = await keyFile("bot", "ecdsa-p256-sha256");
    const r = await cli(["register", "--key", path, "--scopes", "read,trade", "--expires-in", "7d", "--json"], {
      KEYLEDGER_PRIVATE_KEY: devKey(1),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ keyId: key.keyId, version: 1, owner: devAccounts[1], label: "bot", scopes: ["read", "trade"] });
    expect(out.expiresAt - out.notBefore).toBe(7 * 86_400);
    // The key file now carries the registry id (namespaced by the owner), so requests do too.
    expect(JSON.parse(readFileSync(path, "utf8")).keyId).toBe(key.keyId);
    expect(key.keyId.slice(0, 42)).toBe(devAccounts[1]!.toLowerCase());

    const s = await cli(["status", key.keyId, "--json"]);
    expect(s.code).toBe(0);
    expect(s.json()).toMatchObject({ valid: true, reason: "valid", state: "active", label: "bot", version: 1, alg: "ecdsa-p256-sha256" });
    expect(s.json().history.map((h: { event: string }) => h.event)).toEqual(["KeyRegistered"]);

    const human = await cli(["status", key.keyId, "--scopes", "withdraw"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("NOT VALID (insufficient-scope)");
  });

  it("explains a contract error by name and exits 4", async () => {
    const { path, key } = await keyFile("dup");
    const wallet = { KEYLEDGER_PRIVATE_KEY: devKey(1) };
    expect((await cli(["register", "--key", path, "--scopes", "read"], wallet)).code).toBe(0);
    const again = await cli(["register", "--key", path, "--scopes", "read"], wallet);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(`KeyAlreadyRegistered(${key.keyId}): this key id is already registered`);
    const json = await cli(["register", "--key", path, "--scopes", "read", "--json"], wallet);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: "KeyAlreadyRegistered", exitCode: 4 });
  });

  it("rotates with an overlap; the old version expires after it (chain time)", async () => {
    const v1 = await keyFile("rotating", "ed25519", 2);
    const v2 = await keyFile("rotating", "ed25519", 2);
    const wallet = { KEYLEDGER_PRIVATE_KEY: devKey(2) };
    expect((await cli(["register", "--key", v1.path, "--scopes", "read"], wallet)).code).toBe(0);
    const r = await cli(["rotate", v1.key.keyId, "--key", v2.path, "--overlap", "1h", "--json"], wallet);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ keyId: v2.key.keyId, version: 2, oldKeyId: v1.key.keyId, scopes: ["read"] });
    // The old key's expiry is cut to the rotation block's time + overlap.
    const block = await createPublicClient({ transport: http(node.rpcUrl) }).getBlock({ blockNumber: BigInt(out.blockNumber) });
    expect(out.oldExpiresAt).toBe(Number(block.timestamp) + 3600);

    const during = await cli(["status", v1.key.keyId, "--json"]);
    expect(during.json()).toMatchObject({ valid: true, rotated: true, label: "rotating" });
    const newer = await cli(["status", v2.key.keyId, "--json"]);
    expect(newer.json()).toMatchObject({ valid: true, version: 2, label: "rotating" });

    // The roll-back path: keep the old key 2 h instead of 1 h.
    const ext = await cli(["extend-overlap", v1.key.keyId, "--overlap", "2h", "--json"], wallet);
    expect(ext.code).toBe(0);
    await increaseTime(node.rpcUrl, 2 * 3600 + 1);
    const after = await cli(["status", v1.key.keyId, "--json"]);
    expect(after.code).toBe(1);
    expect(after.json()).toMatchObject({ valid: false, reason: "expired" });
    expect(after.json().history.map((h: { event: string }) => h.event)).toEqual(["KeyRegistered", "KeyRotated", "OverlapExtended"]);
  });

  it("revokes several keys in one transaction, and by label", async () => {
    const wallet = { KEYLEDGER_PRIVATE_KEY: devKey(3) };
    const keys = await Promise.all(["batch", "batch", "ci", "ci"].map((l) => keyFile(l, "ed25519", 3)));
    for (const k of keys) expect((await cli(["register", "--key", k.path, "--scopes", "read"], wallet)).code).toBe(0);

    const batch = await cli(["revoke", keys[0]!.key.keyId, keys[1]!.key.keyId, "--reason", "cleanup", "--json"], wallet);
    expect(batch.code).toBe(0);
    expect(batch.json().transactions).toHaveLength(1);
    expect(batch.json().revoked).toEqual([keys[0]!.key.keyId, keys[1]!.key.keyId]);

    const byLabel = await cli(["revoke", "--label", "ci", "--reason", "leaked in CI logs", "--json"], wallet);
    expect(byLabel.code).toBe(0);
    expect([...byLabel.json().revoked].sort()).toEqual([keys[2]!.key.keyId, keys[3]!.key.keyId].sort());
    for (const k of keys) {
      const s = await cli(["status", k.key.keyId, "--json"]);
      expect(s.json()).toMatchObject({ valid: false, reason: "revoked" });
    }
    const none = await cli(["revoke", "--label", "ci"], wallet);
    expect(none.code).toBe(1);

    const notMine = await keyFile("other", "ed25519", 4);
    await cli(["register", "--key", notMine.path, "--scopes", "read"], { KEYLEDGER_PRIVATE_KEY: devKey(4) });
    const refused = await cli(["revoke", notMine.key.keyId], wallet);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`NotKeyOwner(${notMine.key.keyId}`);
    expect(refused.stderr).toContain("does not own this key");
  });

  it("lets a guardian suspend a key and refuses anyone else", async () => {
    const { path, key } = await keyFile("suspect");
    await cli(["register", "--key", path, "--scopes", "read"], { KEYLEDGER_PRIVATE_KEY: devKey(1) });
    const refused = await cli(["suspend", key.keyId, "--dev-account", "1"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("is not a guardian");
    const r = await cli(["suspend", key.keyId, "--reason", "seen on pastebin", "--dev-account", "9"]);
    expect(r.code).toBe(0);
    const s = await cli(["status", key.keyId, "--json"]);
    expect(s.json()).toMatchObject({ valid: false, reason: "suspended", state: "suspended" });
  });
});

describe("DAO revocation", () => {
  it("propose-revoke -> vote -> queue -> execute revokes the key", async () => {
    const { path, key } = await keyFile("abusive", "ed25519", 5);
    await cli(["register", "--key", path, "--scopes", "trade"], { KEYLEDGER_PRIVATE_KEY: devKey(5) });
    const p = await cli(["propose-revoke", key.keyId, "--reason", "abusive trading bot", "--dev-account", "0", "--json"]);
    expect(p.code).toBe(0);
    const { proposalId, description } = p.json();
    // Front-running protection: only dev account 0 may submit this description.
    expect(description).toBe(`Revoke key ${key.keyId}: abusive trading bot\n\n#proposer=${devAccounts[0]}`);

    const early = await cli(["proposal", "vote", proposalId, "--support", "for", "--dev-account", "0"]);
    expect(early.code).toBe(4);
    expect(early.stderr).toContain("GovernorUnexpectedProposalState");
    expect(early.stderr).toContain("the proposal is Pending; this step needs it Active");

    await increaseTime(node.rpcUrl, 2);
    for (const voter of ["0", "1", "2"]) {
      expect((await cli(["proposal", "vote", proposalId, "--support", "for", "--dev-account", voter])).code).toBe(0);
    }
    const shown = await cli(["proposal", "show", proposalId, "--json"]);
    expect(shown.json()).toMatchObject({ state: "active", actions: [`KeyRegistry.governanceRevoke("${key.keyId}", "abusive trading bot")`] });

    await increaseTime(node.rpcUrl, 301);
    expect((await cli(["proposal", "queue", proposalId, "--dev-account", "0"])).code).toBe(0);
    const tooSoon = await cli(["proposal", "execute", proposalId, "--dev-account", "0"]);
    expect(tooSoon.code).toBe(4);
    expect(tooSoon.stderr).toContain("not ready yet");

    await increaseTime(node.rpcUrl, 61);
    const executed = await cli(["proposal", "execute", proposalId, "--dev-account", "0", "--json"]);
    expect(executed.code).toBe(0);
    expect(executed.json().effects[0]).toMatchObject({ event: "KeyRevoked", args: { keyId: key.keyId, reason: "abusive trading bot" } });

    const s = await cli(["status", key.keyId, "--json"]);
    expect(s.json()).toMatchObject({ valid: false, reason: "revoked" });
    const list = await cli(["proposal", "list", "--json"]);
    expect(list.json()).toContainEqual(expect.objectContaining({ proposalId, state: "executed" }));
  });
});

describe("wallets", () => {
  it("needs a wallet to send, and never takes one from argv", async () => {
    const { path } = await keyFile("nowallet");
    const none = await cli(["register", "--key", path, "--scopes", "read"]);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain("needs a wallet");
    const secret = devKey(1);
    for (const flag of ["--private-key", "--pk", "--mnemonic"]) {
      const r = await cli(["register", "--key", path, "--scopes", "read", flag, secret]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("never read from the command line");
      expect(r.stderr + r.stdout).not.toContain(secret.slice(2));
    }
    const eq = await cli(["revoke", `--private-key=${secret}`, "0x" + "11".repeat(32)]);
    expect(eq.code).toBe(2);
    expect(eq.stderr + eq.stdout).not.toContain(secret.slice(2));
    // A key typed in the wrong place is not echoed back either.
    const positional = await cli(["register", "--key", path, "--scopes", "read", secret]);
    expect(positional.code).toBe(2);
    const asKeystore = await cli(["register", "--key", path, "--scopes", "read", "--keystore", secret]);
    expect(asKeystore.code).toBe(5);
    for (const r of [positional, asKeystore]) expect(r.stderr + r.stdout).not.toContain(secret.slice(2));
  });

  it("reads a 0600 keystore file (hex or encrypted) and refuses a readable one", async () => {
    const hexFile = join(dir, "wallet.hex");
    writeFileSync(hexFile, `${devKey(6)}\n`, { mode: 0o644 });
    chmodSync(hexFile, 0o644);
    const { path, key } = await keyFile("keystore", "ed25519", 6);
    const open = await cli(["register", "--key", path, "--scopes", "read", "--keystore", hexFile]);
    expect(open.code).toBe(5);
    expect(open.stderr).toContain("chmod 600");
    chmodSync(hexFile, 0o600);
    const ok = await cli(["register", "--key", path, "--scopes", "read", "--keystore", hexFile, "--json"]);
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({ keyId: key.keyId, owner: devAccounts[6] });

    const encrypted = join(dir, "wallet.json");
    writeFileSync(encrypted, JSON.stringify(encryptKeystore(devKey(7), "correct horse")), { mode: 0o600 });
    const second = await keyFile("keystore2", "ed25519", 7);
    const wrong = await cli(["register", "--key", second.path, "--scopes", "read", "--keystore", encrypted], { KEYLEDGER_KEYSTORE_PASSWORD: "nope" });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain("Wrong keystore password");
    const right = await cli(["register", "--key", second.path, "--scopes", "read", "--keystore", encrypted, "--json"], {
      KEYLEDGER_KEYSTORE_PASSWORD: "correct horse",
    });
    expect(right.code).toBe(0);
    expect(right.json().owner).toBe(devAccounts[7]);
    expect(statSync(encrypted).mode & 0o777).toBe(0o600);
  });
});

describe("watch", () => {
  it("streams registry events as NDJSON until interrupted", async () => {
    const child = spawn(process.execPath, [`${root}/src/cli/main.ts`, "watch", "--json", "--interval", "1"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const exited = new Promise<number | null>((done) => child.once("close", done));
    // Wait until the watcher has read its start block, so the registration below is "new".
    await new Promise<void>((done) => child.stderr.once("data", () => done()));
    const { path, key } = await keyFile("watched");
    await cli(["register", "--key", path, "--scopes", "read"], { KEYLEDGER_PRIVATE_KEY: devKey(1) });
    for (let i = 0; i < 100 && !stdout.includes(key.keyId); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ event: "KeyRegistered", args: expect.objectContaining({ keyId: key.keyId, label: "watched" }) }));
  });
});

describe("the running dev stack (.keyledger/dev-stack.json)", () => {
  const stackFile = (pid: number) => {
    const stateDir = mkdtempSync(join(dir, "state-"));
    writeDevStack(join(stateDir, "dev-stack.json"), {
      version: 1,
      pid,
      rpcUrl: node.rpcUrl,
      chainId: 31337,
      manifestPath: node.manifestPath,
      startedAt: new Date().toISOString(),
    });
    return stateDir;
  };

  it("is where the CLI finds the node and manifest when no --rpc or env names them (a busy 8545 moved the stack)", async () => {
    const { path, key } = await keyFile("found-by-stack-file", "ed25519", 2);
    const stateDir = stackFile(process.pid);
    const register = await runCli(["register", "--key", path, "--scopes", "read", "--dev-account", "2", "--json"], { env: { KEYLEDGER_STATE_DIR: stateDir } });
    expect(register.stderr).toBe("");
    expect(register.code).toBe(0);
    const status = await runCli(["status", key.keyId, "--json"], { env: { KEYLEDGER_STATE_DIR: stateDir } });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ valid: true, label: "found-by-stack-file" });
    // --rpc still wins over the file.
    const flag = await runCli(["status", key.keyId, "--rpc", "http://127.0.0.1:9"], { env: { KEYLEDGER_STATE_DIR: stateDir } });
    expect(flag.code).toBe(3);
    expect(flag.stderr).toContain("http://127.0.0.1:9");
  });

  it("is ignored once the stack's process is gone", async () => {
    const gone = spawn(process.execPath, ["-e", ""]);
    const pid = gone.pid!;
    await new Promise((r) => gone.once("exit", r));
    const stale = await runCli(["status", `0x${"11".repeat(32)}`, "--json"], { env: { KEYLEDGER_STATE_DIR: stackFile(pid) } });
    expect(stale.code).toBe(3);
    expect(stale.stderr).not.toContain(node.rpcUrl);
  });

  it("gives the exact env line npm start prints", () => {
    expect(devStackEnvLine({ rpcUrl: "http://127.0.0.1:40123", manifestPath: "/tmp/a b/31337.json", apiUrl: "http://127.0.0.1:8787" })).toBe(
      "export KEYLEDGER_RPC_URL=http://127.0.0.1:40123 KEYLEDGER_MANIFEST='/tmp/a b/31337.json' KEYLEDGER_API_URL=http://127.0.0.1:8787",
    );
  });
});

describe("release (lazy release of revoked lineages under the per-owner cap)", () => {
  // Policy slot 4 (docs/contracts.md, Storage): maxKeysPerOwner is bits 96..111. Lowered
  // to 2 for this test only (a DAO proposal would take a whole vote), then restored.
  const policySlot = "0x0000000000000000000000000000000000000000000000000000000000000004";
  const rpc = (method: string, params: unknown[]) => createPublicClient({ transport: http(node.rpcUrl) }).request({ method, params } as never) as Promise<Hex>;
  const withCap = (word: bigint, cap: bigint) => `0x${((word & ~(0xffffn << 96n)) | (cap << 96n)).toString(16).padStart(64, "0")}`;

  it("register at the cap releases the owner's revoked lineages and retries; release --mine and by id; nothing left to release", async () => {
    const registry = node.manifest.contracts.KeyRegistry.address;
    const original = BigInt(await rpc("eth_getStorageAt", [registry, policySlot, "latest"]));
    await rpc("hardhat_setStorageAt", [registry, policySlot, withCap(original, 2n)]);
    try {
      const wallet = { KEYLEDGER_PRIVATE_KEY: devKey(8) };
      const [a, b, c, d] = await Promise.all(["cap-a", "cap-b", "cap-c", "cap-d"].map((l) => keyFile(l, "ed25519", 8)));
      for (const k of [a!, b!]) expect((await cli(["register", "--key", k.path, "--scopes", "read"], wallet)).code).toBe(0);
      // At the cap with nothing revoked: refused, and the message says what to do.
      const full = await cli(["register", "--key", c!.path, "--scopes", "read"], wallet);
      expect(full.code).toBe(4);
      expect(full.stderr).toContain(`TooManyKeys(${devAccounts[8]}, 2, 2)`);
      expect(full.stderr).toContain(`keyledger release --owner ${devAccounts[8]}`);

      // A revoked lineage still counts; register releases it by itself, then registers.
      expect((await cli(["revoke", a!.key.keyId], wallet)).code).toBe(0);
      const retried = await cli(["register", "--key", c!.path, "--scopes", "read", "--json"], wallet);
      expect(retried.code).toBe(0);
      expect(retried.stderr).toContain("released 1 revoked lineage to make room under the cap");
      expect(retried.json()).toMatchObject({ keyId: c!.key.keyId });

      // release --mine, sent by the owner; then by id, sent by someone else: skipped, already released.
      expect((await cli(["revoke", b!.key.keyId], wallet)).code).toBe(0);
      const mine = await cli(["release", "--mine", "--json"], wallet);
      expect(mine.code).toBe(0);
      expect(mine.json()).toMatchObject({ released: [b!.key.keyId], skipped: [] });
      const again = await cli(["release", b!.key.keyId, c!.key.keyId, "--json"], { KEYLEDGER_PRIVATE_KEY: devKey(9) });
      expect(again.code).toBe(0);
      expect(again.json()).toMatchObject({
        released: [],
        skipped: [
          { keyId: b!.key.keyId, reason: "already-released" },
          { keyId: c!.key.keyId, reason: "not-revoked" },
        ],
      });
      const none = await cli(["release", "--owner", devAccounts[8]!], { KEYLEDGER_PRIVATE_KEY: devKey(9) });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("has no revoked lineage left to release");
      expect((await cli(["register", "--key", d!.path, "--scopes", "read"], wallet)).code).toBe(0);
    } finally {
      await rpc("hardhat_setStorageAt", [registry, policySlot, `0x${original.toString(16).padStart(64, "0")}`]);
    }
  });
});

describe("chain errors", () => {
  it("exits 3 when the node or the manifest is missing", async () => {
    const down = await runCli(["status", `0x${"11".repeat(32)}`, "--rpc", "http://127.0.0.1:9"], {});
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("Cannot reach the RPC node at http://127.0.0.1:9");
    const noManifest = await runCli(["status", `0x${"11".repeat(32)}`, "--rpc", node.rpcUrl, "--manifest", join(dir, "missing.json")]);
    expect(noManifest.code).toBe(3);
    expect(noManifest.stderr).toContain("Cannot read deployment manifest");
  });
});

// Web3 Secret Storage v3, as geth and Foundry write it (scrypt, small n to keep the test fast).
function encryptKeystore(privateKey: Hex, password: string) {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const n = 1024;
  const derived = scryptSync(password, salt, 32, { N: n, r: 8, p: 1 });
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]);
  const mac = keccak256(new Uint8Array([...derived.subarray(16, 32), ...ciphertext]));
  return {
    version: 3,
    id: "5c3f1b7e-0000-4000-8000-000000000000",
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams: { dklen: 32, salt: salt.toString("hex"), n, r: 8, p: 1 },
      mac: mac.slice(2),
    },
  };
}
