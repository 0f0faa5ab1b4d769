// Security review of the CLI, the dev stack, the API and the dApp (issue 5): no
// secret in any output, log, URL or bundle; private key files 0600 whatever the
// umask; a strict Content-Security-Policy for the dApp; the dependency audit.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, http, parseEther } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitWithParentFlags } from "../../scripts/dev/startChildProcess.ts";
import { runAudit } from "../../scripts/stress/audit.ts";
import { count, reportFigures } from "../../scripts/stress/figures.ts";
import { base64UrlToBytes, generateKey, type KeyFile } from "../../src/keys/index.ts";
import { createSignedFetch } from "../../src/signer/index.ts";
import { InsecureKeyFileError, readKeyFile, writeKeyFile } from "../../src/signer/node.ts";
import { root, runCli } from "../cli/runCli.ts";
import { devAccounts } from "../helpers/localNode.ts";

const lines: string[] = [];
const data: Record<string, unknown> = {};
const scratch = mkdtempSync(join(tmpdir(), "keyledger-security-"));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  reportFigures({ suite: "security", title: "security review (CLI, dev stack, API, dApp, dependencies)", lines, data });
});

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** Every spelling of a secret worth searching for: hex (any case, with or without 0x), base64, base64url. */
function spellings(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [b.toString("hex"), b.toString("base64"), b.toString("base64url"), b.toString("base64").replace(/=+$/, "")];
}

function findSecrets(text: string, secrets: Record<string, Uint8Array | string>): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = typeof secret === "string" ? [secret] : spellings(secret);
    for (const form of forms) {
      const hex = /^[0-9a-f]+$/.test(form);
      if (hex ? lower.includes(form) : text.includes(form)) found.push(`${name} (${form.slice(0, 6)}…)`);
    }
  }
  return found;
}

function privateBytes(key: KeyFile): Uint8Array {
  return base64UrlToBytes(key.privateKey!.d!);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

// ---------------------------------------------------------------------------

describe("private key files", () => {
  it("are written 0600 by the CLI and writeKeyFile whatever the umask, and readable ones are refused", async () => {
    const path = join(scratch, "umask.key.json");
    const publicPath = join(scratch, "umask.pub.json");
    const cli = spawnSync("sh", ["-c", `umask 000 && exec "${process.execPath}" src/cli/main.ts keygen --label umask --out "${path}" --public-out "${publicPath}" --plaintext --json`], {
      cwd: root,
      encoding: "utf8",
    });
    expect(cli.status).toBe(0);
    const cliMode = mode(path);
    expect(cliMode).toBe(0o600);

    const key = await generateKey({ label: "direct" });
    const direct = join(scratch, "direct.key.json");
    const previous = process.umask(0);
    let modes: number[];
    try {
      writeKeyFile({ path: direct, key });
      const first = mode(direct);
      writeKeyFile({ path: direct, key, overwrite: true });
      modes = [first, mode(direct)];
    } finally {
      process.umask(previous);
    }
    expect(modes).toEqual([0o600, 0o600]);

    chmodSync(direct, 0o644);
    expect(() => readKeyFile({ path: direct })).toThrow(InsecureKeyFileError);
    const refused = await runCli(["request", "http://127.0.0.1:9/v1/prices", "--key", direct]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/group or others|permission|0600|644/i);
    lines.push(
      `key files: CLI keygen under umask 000 wrote ${octal(cliMode)}; writeKeyFile (new and overwrite) under umask 0 wrote ${modes.map(octal).join(", ")}; ` +
        `a 0644 private key file is refused (readKeyFile, CLI exit ${refused.code})`,
    );
    data.keyFiles = { cliMode: octal(cliMode), writeKeyFileModes: modes.map(octal), readableRefused: true };
  });
});

// ---------------------------------------------------------------------------

describe("secrets in output, logs and URLs", () => {
  type Dev = { stdout: () => string; stderr: () => string; exited: Promise<unknown>; kill(): void; stateDir: string; manifestPath: string; rpcUrl: string; apiUrl: string };
  let dev: Dev;
  let stopDev: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    const stateDir = join(scratch, "state");
    const manifestPath = join(stateDir, "31337.json");
    // exitWithParent: the stack goes away with this process, however it ends.
    const child = spawn(process.execPath, [...exitWithParentFlags, join(root, "scripts/dev.ts"), "--no-compile", "--port", "0", "--manifest", manifestPath], {
      cwd: root,
      env: { ...process.env, KEYLEDGER_STATE_DIR: stateDir, KEYLEDGER_API_PORT: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise((done) => child.once("exit", done));
    // Stopped in afterAll even when start-up fails below.
    stopDev = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    };
    await new Promise<void>((resolve, reject) => {
      const check = () => /Press Ctrl-C to stop\./.test(stdout) && resolve();
      child.stdout.on("data", check);
      void exited.then(() => reject(new Error(`dev stack exited early:\n${stdout}\n${stderr}`)));
    });
    const rpcUrl = /RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    const apiUrl = /reference API\s+(http:\/\/127\.0\.0\.1:\d+)/i.exec(stdout)![1]!;
    dev = { stdout: () => stdout, stderr: () => stderr, exited, kill: () => child.kill("SIGINT"), stateDir, manifestPath, rpcUrl, apiUrl };
  });
  afterAll(async () => {
    await stopDev?.();
  });

  it("the CLI and the dev stack (node, API) never print or log the wallet key or the API private key", async () => {
    // A wallet that is not one of Hardhat's well-known accounts (those are printed by hardhat itself).
    const walletKey = generatePrivateKey();
    const wallet = privateKeyToAccount(walletKey);
    await createWalletClient({ transport: http(dev.rpcUrl) }).sendTransaction({ account: devAccounts[0], to: wallet.address, value: parseEther("10"), chain: null });
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const keyPath = join(scratch, "bot.key.json");
    const env = { KEYLEDGER_RPC_URL: dev.rpcUrl, KEYLEDGER_MANIFEST: dev.manifestPath };
    const runs: { args: string[]; code: number | null; output: string }[] = [];
    const cli = async (args: string[], extraEnv: Record<string, string> = {}, input?: string) => {
      const r = await runCli(args, { env: { ...env, ...extraEnv }, input });
      runs.push({ args, code: r.code, output: `${r.stdout}\n${r.stderr}` });
      return r;
    };

    // Plaintext, so that the search below has the private key's bytes to look for (the control).
    expect((await cli(["keygen", "--label", "bot", "--out", keyPath, "--plaintext"])).code).toBe(0);
    expect((await cli(["register", "--key", keyPath, "--scopes", "read,trade", "--json"], { KEYLEDGER_PRIVATE_KEY: walletKey })).code).toBe(0);
    // Read after registering: the file now carries the registry id.
    const key = readKeyFile({ path: keyPath });
    let answer = await cli(["request", `${dev.apiUrl}/v1/prices`, "--key", keyPath, "-i"]);
    for (let i = 0; answer.code !== 0 && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await cli(["request", `${dev.apiUrl}/v1/prices`, "--key", keyPath, "-i"]);
    }
    expect(answer.code).toBe(0);
    expect((await cli(["request", `${dev.apiUrl}/v1/orders`, "--key", keyPath, "-d", '{"symbol":"ETH-USD","side":"buy","qty":1}', "--json"])).code).toBe(0);
    const tampered = join(scratch, "tampered.key.json");
    const other = await generateKey({ label: "other" });
    writeFileSync(tampered, JSON.stringify({ ...key, privateKey: other.privateKey }), { mode: 0o600 });
    // status, and mistakes that could echo a secret back.
    const [status, ...mistakes] = await Promise.all([
      cli(["status", key.keyId, "--json"]),
      cli(["register", "--key", keyPath, "--scopes", "read", "--private-key", walletKey]),
      cli(["register", walletKey, "--key", keyPath, "--scopes", "read"]),
      cli(["register", "--key", keyPath, "--scopes", "read"], { KEYLEDGER_PRIVATE_KEY: walletKey.slice(0, -1) }),
      cli(["register", "--key", keyPath, "--scopes", "read"], { KEYLEDGER_PRIVATE_KEY: `${walletKey}zz` }),
      cli(["request", `${dev.apiUrl}/v1/prices`, "--key", tampered]),
    ]);
    expect(status.code).toBe(0);
    expect(mistakes.map((m) => m.code === 0)).toEqual([false, false, false, false, false]);
    const keystore = join(scratch, "wallet.keystore");
    writeFileSync(keystore, `${walletKey}\n`, { mode: 0o644 });
    chmodSync(keystore, 0o644);
    const readable = await cli(["revoke", key.keyId, "--keystore", keystore]);
    expect([readable.code, /Refusing keystore/.test(readable.stderr)]).toEqual([5, true]);
    chmodSync(keystore, 0o600);
    expect((await cli(["revoke", key.keyId, "--keystore", keystore, "--reason", "test done", "--json"], { KEYLEDGER_KEYSTORE_PASSWORD: password })).code).toBe(0);
    let revoked = await cli(["request", `${dev.apiUrl}/v1/prices`, "--key", keyPath]);
    for (let i = 0; !/key-revoked/.test(runs.at(-1)!.output) && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      revoked = await cli(["request", `${dev.apiUrl}/v1/prices`, "--key", keyPath]);
    }
    expect(revoked.code).toBe(1);

    // Stop the stack so that its logs are complete, then search everything.
    dev.kill();
    await dev.exited;
    const secrets = {
      "wallet private key": Buffer.from(walletKey.slice(2), "hex"),
      "API key private part (d)": privateBytes(key),
      "tampered file's private part": privateBytes(other),
      "keystore password": password,
    };
    // The search itself works: the key file and the keystore do hold the secrets.
    const control = findSecrets(readFileSync(keyPath, "utf8") + readFileSync(keystore, "utf8"), secrets);
    expect(["wallet private key", "API key private part (d)"].every((name) => control.some((found) => found.startsWith(name)))).toBe(true);
    const logFiles = filesUnder(dev.stateDir).filter((f) => !f.endsWith(".json"));
    const places: [string, string][] = [
      ...runs.map((r) => [`keyledger ${r.args.map((a) => (a === walletKey ? "<wallet key>" : a)).join(" ")}`, r.output] as [string, string]),
      ["dev stack stdout", dev.stdout()],
      ["dev stack stderr", dev.stderr()],
      ...logFiles.map((f) => [f.slice(dev.stateDir.length + 1), readFileSync(f, "utf8")] as [string, string]),
    ];
    const leaks = places.flatMap(([where, text]) => findSecrets(text, secrets).map((what) => `${what} in ${where}`));
    expect(leaks).toEqual([]);
    const bytes = places.reduce((n, [, text]) => n + text.length, 0);
    lines.push(
      `no secrets in output or logs: ${runs.length} CLI runs (keygen, register via KEYLEDGER_PRIVATE_KEY, request GET/POST, status, revoke via --keystore (refused while 0644), ` +
        `and mistakes: --private-key flag, key as argument, malformed env key, mismatched key file) plus the dev stack's stdout/stderr and ${logFiles.length} files under its state directory ` +
        `(${describeFiles(logFiles.map((f) => f.slice(dev.stateDir.length + 1)))}), ${count(bytes)} characters searched for the wallet key, the API key's d and the keystore password in hex/base64/base64url: 0 found`,
    );
    data.logs = { cliRuns: runs.length, logFiles: logFiles.length, characters: bytes, leaks: leaks.length };
  });

  it("a signed request carries no key material in its URL, headers or body (CLI request and createSignedFetch)", async () => {
    const seen: { url: string; headers: string; body: string }[] = [];
    const capture = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({ url: req.url ?? "", headers: JSON.stringify(req.rawHeaders), body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => capture.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    try {
      const keys = await Promise.all([generateKey({ label: "url" }), generateKey({ alg: "ecdsa-p256-sha256", label: "url" }), generateKey({ alg: "ecdsa-secp256k1-sha256", label: "url" })]);
      for (const [i, key] of keys.entries()) {
        const path = join(scratch, `url-${i}.key.json`);
        writeKeyFile({ path, key });
        expect((await runCli(["request", `${base}/v1/prices?pair=ETH-USD&n=${i}`, "--key", path])).code).toBe(0);
        expect((await runCli(["request", `${base}/v1/orders`, "--key", path, "-d", '{"qty":1}'])).code).toBe(0);
        const signedFetch = createSignedFetch({ keys: [key] });
        await signedFetch(`${base}/v1/prices?via=sdk`);
        await signedFetch(`${base}/v1/orders`, { method: "POST", body: '{"qty":2}', headers: { "content-type": "application/json" } });
      }
      const secrets = Object.fromEntries(keys.map((k, i) => [`private key ${i} (${k.alg})`, privateBytes(k)]));
      const leaks = seen.flatMap((s) => findSecrets(`${s.url}\n${s.headers}\n${s.body}`, secrets));
      expect(seen).toHaveLength(12);
      expect(leaks).toEqual([]);
      // What the URL carries is what the caller put there; the key id in Signature-Input is public.
      expect(seen.every((s) => !/keyid|signature|nonce/i.test(s.url))).toBe(true);
      lines.push(`no keys in URLs: ${seen.length} requests (CLI request and createSignedFetch, 3 algorithms) captured on the wire: URL, headers and body hold no private key material`);
      data.urls = { requests: seen.length, leaks: leaks.length };
    } finally {
      capture.close();
    }
  });
});

// ---------------------------------------------------------------------------

describe("dApp bundle and Content-Security-Policy", () => {
  const outDir = join(scratch, "web-dist");
  const poisoned = { KEYLEDGER_PRIVATE_KEY: generatePrivateKey(), VITE_PRIVATE_KEY: generatePrivateKey(), PRIVATE_KEY: generatePrivateKey() };
  let built = false;

  beforeAll(() => {
    if (!existsSync(join(root, "web/vite.config.ts"))) return;
    const vite = join(root, "node_modules/vite/bin/vite.js");
    const result = spawnSync(process.execPath, [vite, "build", "--config", "web/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: root,
      env: { ...process.env, ...poisoned, NODE_ENV: "production" },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
    built = true;
  });

  it("holds no private-key material: no Hardhat dev key or mnemonic, no PEM or JWK private key, no build-time secret", (ctx) => {
    if (!built) return ctx.skip("web/vite.config.ts is missing");
    const mnemonic = "test test test test test test test test test test test junk";
    const hardhatKeys = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`Hardhat dev key #${i}`, mnemonicToAccount(mnemonic, { addressIndex: i }).getHdKey().privateKey!] as const),
    );
    const secrets: Record<string, Uint8Array | string> = {
      ...hardhatKeys,
      "Hardhat mnemonic": mnemonic,
      ...Object.fromEntries(Object.entries(poisoned).map(([name, value]) => [`$${name} at build time`, Buffer.from(value.slice(2), "hex")])),
    };
    const bundles = [{ name: "fresh build", dir: outDir }, ...(existsSync(join(root, "web/dist")) ? [{ name: "web/dist", dir: join(root, "web/dist") }] : [])];
    const report: string[] = [];
    for (const { name, dir } of bundles) {
      const files = filesUnder(dir);
      const problems: string[] = [];
      let hexStrings = 0;
      let bytes = 0;
      for (const file of files) {
        const text = readFileSync(file, "latin1");
        bytes += text.length;
        problems.push(...findSecrets(text, secrets).map((s) => `${s} in ${file.slice(dir.length + 1)}`));
        if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) problems.push(`PEM private key in ${file}`);
        if (/"d"\s*:\s*"[A-Za-z0-9_-]{40,}"/.test(text)) problems.push(`JWK private key in ${file}`);
        if (/private_?key["'`]?\s*[:=]\s*["'`](0x)?[0-9a-fA-F]{64}/i.test(text)) problems.push(`hex private key assignment in ${file}`);
        if (file.endsWith(".map")) problems.push(`source map shipped: ${file}`);
        hexStrings += text.match(/0x[0-9a-fA-F]{64}\b/g)?.length ?? 0;
      }
      expect(problems).toEqual([]);
      report.push(`${name}: ${files.length} files, ${count(bytes)} bytes, 0 findings (${hexStrings} 32-byte hex constants, none a known key)`);
    }
    lines.push(`dApp bundle (built with secret-looking variables in the environment: ${Object.keys(poisoned).join(", ")}): ${report.join("; ")}`);
    data.bundle = { bundles: report };
  });

  it("is served with a strict Content-Security-Policy header and carries one in its HTML", async (ctx) => {
    if (!built) return ctx.skip("web/vite.config.ts is missing");
    const { preview } = await import("vite");
    const { createViteConfig } = await import("../../web/viteConfig.ts");
    const config = createViteConfig({ manifestPath: join(scratch, "none.json"), rpcUrl: "http://127.0.0.1:8545" });
    const server = await preview({ ...config, configFile: false, logLevel: "warn", build: { ...config.build, outDir }, preview: { host: "127.0.0.1", port: 0 } });
    try {
      const address = server.httpServer.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${address.port}/`);
      const header = response.headers.get("content-security-policy") ?? "";
      const html = await response.text();
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;/g, "'") ?? "";
      const directives = (policy: string) => new Map(policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      for (const policy of [header, meta]) {
        const d = directives(policy);
        expect(d.get("default-src")).toEqual(["'none'"]);
        expect(d.get("script-src")).toEqual(["'self'"]);
        expect(d.get("object-src")).toEqual(["'none'"]);
        expect(d.get("base-uri")).toEqual(["'none'"]);
        expect(policy).not.toMatch(/'unsafe-|(^|\s)\*(\s|;|$)/);
      }
      expect(directives(header).get("frame-ancestors")).toEqual(["'none'"]);
      expect(directives(header).get("connect-src")).toEqual(["'self'", "http://127.0.0.1:8545"]);
      // script-src 'self' only works if the page has no inline script.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      lines.push(`Content-Security-Policy: served as a header (${header.split(";").length} directives, default-src 'none', script-src 'self', connect-src limited to the RPC origin, frame-ancestors 'none') and as a <meta> in the built page; no inline script, no unsafe-inline/unsafe-eval`);
      data.csp = { header, meta };
    } finally {
      await server.close();
    }
  });
});

// ---------------------------------------------------------------------------

describe("dependency audit", () => {
  it("npm audit --omit=dev is clean or every finding is explained", { timeout: 180_000 }, async (ctx) => {
    const audit = await runAudit({ cwd: root });
    if (!audit.available) {
      lines.push(`npm audit --omit=dev: not run, the registry's audit service could not be asked (${audit.reason}); ${audit.productionPackages} production packages`);
      data.audit = { available: false, reason: audit.reason, productionPackages: audit.productionPackages };
      return ctx.skip(`npm audit unavailable: ${audit.reason}`);
    }
    const unexplained = audit.findings.filter((f) => !f.explanation);
    lines.push(
      `npm audit --omit=dev: ${audit.findings.length} findings over ${audit.productionPackages} production packages` +
        (audit.findings.length ? `: ${audit.findings.map((f) => `${f.name} (${f.severity}): ${f.explanation ?? "UNEXPLAINED"}`).join("; ")}` : ""),
    );
    data.audit = { available: true, findings: audit.findings, productionPackages: audit.productionPackages };
    expect(unexplained.map((f) => `${f.name} ${f.severity}: ${f.via.join(", ")}`)).toEqual([]);
  });
});

/** The logs by name, the indexer's PGlite data directory (hundreds of files, all searched too) as one count. */
function describeFiles(names: string[]): string {
  const database = names.filter((n) => n.includes("pglite/"));
  const rest = names.filter((n) => !n.includes("pglite/"));
  return [...rest, ...(database.length ? [`${database.length} files of the indexer's PGlite database`] : [])].join(", ");
}
