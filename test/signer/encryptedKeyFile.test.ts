// Encrypted key files (scrypt + AES-256-GCM): the library's write/read/keyDirectory,
// tampering, hostile KDF parameters, and the CLI's default (keygen encrypts; commands
// that need the private key decrypt with $KEYLEDGER_KEY_PASSPHRASE, never from argv).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { createSignedFetch, decryptKeyFile, isEncryptedKeyFile } from "../../src/signer/index.ts";
import { EncryptedKeyFileError, InvalidKeyFileError, keyDirectory, readKeyFile, writeKeyFile } from "../../src/signer/node.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { runCli } from "../cli/runCli.ts";

const passphrase = "correct horse battery staple";
let dir: string;
let key: KeyFile;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyledger-enc-"));
  key = await generateKey({ alg: "ed25519", label: "vault" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (name: string) => join(dir, name);

describe("encrypted key files (library)", () => {
  it("stores no private key material in clear, and round-trips with the passphrase", () => {
    const path = fresh("a.key.json");
    writeKeyFile({ path, key, passphrase, scryptN: 2 ** 14 });
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(key.privateKey!.d!);
    expect(JSON.parse(text)).toMatchObject({ keyId: key.keyId, publicKey: key.publicKey, encryptedPrivateKey: { format: "keyledger-scrypt-aes256gcm-v1", kdf: { name: "scrypt", N: 16384 } } });
    expect(JSON.parse(text).privateKey).toBeUndefined();
    expect(readKeyFile({ path, passphrase })).toEqual(key);
    // Public members without the passphrase, when asked for; otherwise a specific error.
    expect(readKeyFile({ path, publicOnly: true })).toEqual({ ...key, privateKey: undefined });
    expect(() => readKeyFile({ path })).toThrow(EncryptedKeyFileError);
    expect(() => readKeyFile({ path })).toThrow(/is encrypted: a passphrase is needed/);
  });

  it("a wrong passphrase, a flipped ciphertext byte or a ciphertext moved to another key fails closed", async () => {
    const path = fresh("b.key.json");
    writeKeyFile({ path, key, passphrase, scryptN: 2 ** 14 });
    expect(() => readKeyFile({ path, passphrase: "not the passphrase" })).toThrow(/wrong passphrase, or the file was changed/);

    const json = JSON.parse(readFileSync(path, "utf8"));
    const bytes = Buffer.from(json.encryptedPrivateKey.ciphertext, "base64url");
    bytes[3] = bytes[3]! ^ 1;
    writeFileSync(fresh("c.key.json"), JSON.stringify({ ...json, encryptedPrivateKey: { ...json.encryptedPrivateKey, ciphertext: bytes.toString("base64url") } }), { mode: 0o600 });
    expect(() => readKeyFile({ path: fresh("c.key.json"), passphrase })).toThrow(EncryptedKeyFileError);

    const other = await generateKey({ alg: "ed25519", label: "vault" });
    writeFileSync(fresh("d.key.json"), JSON.stringify({ ...other, privateKey: undefined, encryptedPrivateKey: json.encryptedPrivateKey }), { mode: 0o600 });
    expect(() => readKeyFile({ path: fresh("d.key.json"), passphrase })).toThrow(EncryptedKeyFileError);
  });

  it("refuses hostile scrypt parameters before deriving anything, and short passphrases", () => {
    const path = fresh("e.key.json");
    writeKeyFile({ path, key, passphrase, scryptN: 2 ** 14 });
    const json = JSON.parse(readFileSync(path, "utf8"));
    for (const kdf of [{ N: 2 ** 30 }, { N: 1000 }, { r: 64 }, { p: 16 }, { name: "pbkdf2" }]) {
      writeFileSync(fresh("f.key.json"), JSON.stringify({ ...json, encryptedPrivateKey: { ...json.encryptedPrivateKey, kdf: { ...json.encryptedPrivateKey.kdf, ...kdf } } }), { mode: 0o600 });
      const started = performance.now();
      expect(() => readKeyFile({ path: fresh("f.key.json"), passphrase })).toThrow(InvalidKeyFileError);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect(() => writeKeyFile({ path: fresh("g.key.json"), key, passphrase: "short" })).toThrow(EncryptedKeyFileError);
    expect(() => writeKeyFile({ path: fresh("h.key.json"), key, passphrase, scryptN: 1000 })).toThrow(EncryptedKeyFileError);
  });

  it("keyDirectory decrypts with the passphrase and createSignedFetch signs with it", async () => {
    const keys = mkdtempSync(join(dir, "dir-"));
    writeKeyFile({ path: join(keys, "vault.key.json"), key, passphrase, scryptN: 2 ** 14 });
    await expect(keyDirectory({ path: keys })()).rejects.toThrow(EncryptedKeyFileError);
    const verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: [] } }) });
    const verdicts: string[] = [];
    const signedFetch = createSignedFetch({
      keys: keyDirectory({ path: keys, passphrase }),
      fetch: async (request) => {
        const v = await verifier.verify(request);
        verdicts.push(v.ok ? "ok" : v.reason);
        return new Response(null, { status: 204 });
      },
    });
    await signedFetch("http://api.test/v1/prices");
    await signedFetch("http://api.test/v1/prices");
    expect(verdicts).toEqual(["ok", "ok"]);
  });
});

describe("decryptKeyFile (browser-safe: @noble/hashes scrypt + WebCrypto AES-GCM)", () => {
  it("decrypts what writeKeyFile encrypted, passes plaintext files through, and fails closed", async () => {
    const path = fresh("web.key.json");
    writeKeyFile({ path, key, passphrase, scryptN: 2 ** 14 });
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(isEncryptedKeyFile(file)).toBe(true);
    expect(await decryptKeyFile({ file, passphrase })).toEqual(key);
    expect(await decryptKeyFile({ file: key })).toEqual(key);
    await expect(decryptKeyFile({ file })).rejects.toThrow(/enter its passphrase/);
    await expect(decryptKeyFile({ file, passphrase: "nope nope nope" })).rejects.toThrow(EncryptedKeyFileError);
    await expect(decryptKeyFile({ file: { ...file, encryptedPrivateKey: { ...file.encryptedPrivateKey, kdf: { ...file.encryptedPrivateKey.kdf, N: 2 ** 24 } } }, passphrase })).rejects.toThrow(InvalidKeyFileError);
  });
});

describe("encrypted key files (CLI)", () => {
  it("keygen encrypts by default with $KEYLEDGER_KEY_PASSPHRASE; without a terminal or the variable it refuses and writes nothing", async () => {
    const path = fresh("cli.key.json");
    const refused = await runCli(["keygen", "--label", "cli", "--out", path]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/KEYLEDGER_KEY_PASSPHRASE.*--plaintext/s);
    expect(() => readFileSync(path)).toThrow();

    const r = await runCli(["keygen", "--label", "cli", "--out", path, "--json"], { env: { KEYLEDGER_KEY_PASSPHRASE: passphrase } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ encrypted: true });
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(file.encryptedPrivateKey.kdf.N).toBe(2 ** 17);
    expect(file.privateKey).toBeUndefined();
    expect(readKeyFile({ path, passphrase }).privateKey?.d).toBeDefined();
    expect(r.stdout + r.stderr).not.toContain(passphrase);

    // keyid needs only the public members: no passphrase asked.
    expect((await runCli(["keyid", path])).code).toBe(0);
    // request needs the private key: wrong or missing passphrase exit 5, nothing sent.
    const wrong = await runCli(["request", "http://127.0.0.1:9/v1/prices", "--key", path], { env: { KEYLEDGER_KEY_PASSPHRASE: "wrong passphrase!" } });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/wrong passphrase, or the file was changed/);
    const missing = await runCli(["request", "http://127.0.0.1:9/v1/prices", "--key", path]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/encrypted and there is no terminal/);
    expect((await runCli(["keygen", "--label", "cli", "--out", fresh("short.key.json")], { env: { KEYLEDGER_KEY_PASSPHRASE: "short" } })).code).toBe(5);
    // A passphrase is a secret: refused as an argument like wallet keys.
    expect((await runCli(["keygen", "--label", "cli", "--out", fresh("x.key.json"), "--password", passphrase])).code).toBe(2);
    chmodSync(path, 0o600);
  });
});
