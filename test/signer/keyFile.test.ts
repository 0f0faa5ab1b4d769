import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/keys/index.ts";
import {
  createSignedFetch,
  InsecureKeyFileError,
  InvalidKeyFileError,
  KeyFileExistsError,
  keyDirectory,
  readKeyFile,
  validateKeyFile,
  writeKeyFile,
} from "../../src/signer/node.ts";

const dir = mkdtempSync(join(tmpdir(), "keyledger-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe("key files", () => {
  it("writes 0600 whatever the umask, refuses to overwrite unless asked, and reads back the same key", async () => {
    const key = await generateKey({ alg: "ecdsa-secp256k1-sha256", label: "files" });
    const path = join(dir, "k1.json");
    const previous = process.umask(0);
    try {
      writeKeyFile({ path, key });
    } finally {
      process.umask(previous);
    }
    expect(mode(path)).toBe(0o600);
    expect(readKeyFile({ path })).toEqual(key);
    expect(() => writeKeyFile({ path, key })).toThrow(KeyFileExistsError);
    chmodSync(path, 0o644);
    const other = await generateKey({ alg: "ed25519", label: "files" });
    writeKeyFile({ path, key: other, overwrite: true });
    expect(mode(path)).toBe(0o600);
    expect(readKeyFile({ path }).keyId).toBe(other.keyId);
  });

  it("refuses a private key file readable by group or others; accepts a public-only one", async () => {
    const key = await generateKey({ alg: "ecdsa-p256-sha256", label: "perm" });
    const path = join(dir, "perm.json");
    writeKeyFile({ path, key });
    chmodSync(path, 0o640);
    expect(() => readKeyFile({ path })).toThrow(InsecureKeyFileError);
    expect(readKeyFile({ path, allowInsecurePermissions: true }).keyId).toBe(key.keyId);
    const publicPath = join(dir, "public.json");
    writeKeyFile({ path: publicPath, key: { ...key, privateKey: undefined } });
    chmodSync(publicPath, 0o644);
    expect(readKeyFile({ path: publicPath }).privateKey).toBeUndefined();
  });

  it("validates: key id, curve, private/public match, window", async () => {
    const key = await generateKey({ alg: "ed25519", label: "valid" });
    const other = await generateKey({ alg: "ed25519", label: "valid" });
    expect(() => validateKeyFile({ ...key, keyId: other.keyId })).toThrow(/keccak256/);
    expect(() => validateKeyFile({ ...key, alg: "ecdsa-p256-sha256" })).toThrow(InvalidKeyFileError);
    expect(() => validateKeyFile({ ...key, privateKey: { ...key.privateKey!, d: other.privateKey!.d } })).toThrow(/does not belong/);
    expect(() => validateKeyFile({ ...key, label: "" })).toThrow(/label/);
    expect(() => validateKeyFile({ ...key, notBefore: 10, expiresAt: 5 })).toThrow(/expiresAt/);
    expect(validateKeyFile({ ...key, version: 3, notBefore: 1, expiresAt: 2, extra: "dropped" })).toEqual({ ...key, version: 3, notBefore: 1, expiresAt: 2 });
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ not json", { mode: 0o600 });
    expect(() => readKeyFile({ path })).toThrow(InvalidKeyFileError);
  });

  it("keyDirectory: a signed fetch picks up a key rotated on disk without a restart", async () => {
    const keysDir = mkdtempSync(join(dir, "rotation-"));
    const v1 = { ...(await generateKey({ alg: "ed25519", label: "rotating" })), version: 1 };
    writeKeyFile({ path: join(keysDir, "v1.json"), key: v1 });
    const used: string[] = [];
    const fetch = createSignedFetch({
      keys: keyDirectory({ path: keysDir }),
      fetch: async (request) => {
        used.push(/keyid="([^"]+)"/.exec(request.headers.get("signature-input")!)![1]!);
        return new Response(null, { status: 204 });
      },
    });
    await fetch("https://api.example.com/v1/prices");
    const v2 = { ...(await generateKey({ alg: "ed25519", label: "rotating" })), version: 2 };
    writeKeyFile({ path: join(keysDir, "v2.json"), key: v2 });
    await fetch("https://api.example.com/v1/prices");
    expect(used).toEqual([v1.keyId, v2.keyId]);
    expect(JSON.parse(readFileSync(join(keysDir, "v2.json"), "utf8")).version).toBe(2);
  });
});
