// `npm start` (scripts/dev.ts) as a user runs it: starts, prints, and leaves nothing behind.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createPublicClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { loadManifest } from "../../src/chain/manifest.ts";
import { relayRegistryOperation, signRegistryOperation } from "../../src/chain/signedOperations/index.ts";

const root = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "keyledger-dev-test-"));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs scripts/dev.ts (no compile: the suite compiles first) with its own manifest and state dir. */
function startDev(args: string[], name: string) {
  const stateDir = join(scratch, name);
  const manifestPath = join(stateDir, "31337.json");
  const child = spawn(process.execPath, [join(root, "scripts/dev.ts"), "--no-compile", "--manifest", manifestPath, ...args], {
    cwd: root,
    // Port 0: the suite's files run in parallel, so no fixed ports.
    env: { ...process.env, KEYLEDGER_STATE_DIR: stateDir, KEYLEDGER_API_PORT: "0", KEYLEDGER_WEB_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | string>((done) => child.once("exit", (code, signal) => done(code ?? signal ?? "?")));
  const output = (pattern: RegExp) =>
    new Promise<string>((done, fail) => {
      const check = () => {
        if (pattern.test(stdout)) done(stdout);
      };
      child.stdout!.on("data", check);
      void exited.then((code) => fail(new Error(`dev.ts exited (${code}) early:\n${stdout}\n${stderr}`)));
      check();
    });
  return { child, stateDir, manifestPath, exited, output, stderr: () => stderr };
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return ((await response.json()) as { result?: string }).result === "0x7a69";
  } catch {
    return false;
  }
}

describe("scripts/dev.ts", () => {
  // The first start may build the dApp's bundle: minutes on a busy 2-core machine.
  it("starts node, API and dApp, deploys, prints addresses and accounts but no keys, and stops cleanly on SIGINT", { timeout: 300_000 }, async () => {
    const dev = startDev(["--port", "0"], "sigint");
    const out = await dev.output(/Press Ctrl-C to stop\./);
    const rpcUrl = /RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(rpcUrl).toBeDefined();
    expect(await answers(rpcUrl!)).toBe(true);
    const manifest = loadManifest({ path: dev.manifestPath });
    for (const contract of Object.values(manifest.contracts)) expect(out).toContain(contract.address);
    expect(out).toContain("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"); // dev account 9, the guardian
    expect(out).toMatch(/#9\s+0xa0Ee7A142d267C1f36714E4a8F75612F20a79720\s+guardian/);
    expect(out).toContain("200,000 KLG, 200,000 votes");
    // Nothing that looks like a private key (or any other 32-byte secret) is printed.
    expect(out).not.toMatch(/0x[0-9a-fA-F]{64}/);
    expect(existsSync(join(dev.stateDir, "node.log"))).toBe(true);

    const apiUrl = /Reference API\s+(http:\/\/127\.0\.0\.1:\d+)/i.exec(out)?.[1];
    const webUrl = /dApp\s+(http:\/\/127\.0\.0\.1:\d+\/?)/.exec(out)?.[1];
    expect(apiUrl).toBeDefined();
    expect(webUrl).toBeDefined();
    const health = await fetch(`${apiUrl}/healthz`);
    expect(await health.json()).toMatchObject({ status: "ok", chain: { ready: true, stale: false } });
    const page = await fetch(webUrl!);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const deployment = await (await fetch(new URL("/deployment.json", webUrl))).json();
    expect(deployment.contracts.KeyRegistry.address).toBe(manifest.contracts.KeyRegistry.address);

    // The stack's API relays signed operations (dev account 10 pays): a wallet without ETH appoints a rotator.
    const chain = createPublicClient({ transport: http(rpcUrl!) });
    const payload = await signRegistryOperation({
      client: chain,
      signer: privateKeyToAccount(generatePrivateKey()),
      registry: manifest.contracts.KeyRegistry.address,
      deadline: (await chain.getBlock()).timestamp + 600n,
      operation: { operation: "setRotator", rotator: "0x0000000000000000000000000000000000000001" },
    });
    expect(await relayRegistryOperation({ relayUrl: apiUrl!, payload })).toMatchObject({ status: "mined", nonce: "0" });
    expect(out).toContain(`--relay ${apiUrl}`);

    // Blocks keep coming on an idle chain (interval mining besides automine), so chain time moves.
    const blockNumber = async () => Number(((await (await fetch(rpcUrl!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) })).json()) as { result: string }).result);
    const before = await blockNumber();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await blockNumber()).toBeGreaterThan(before);

    // The CLI finds this stack through dev-stack.json; other tools through the printed env line.
    const stackFile = join(dev.stateDir, "dev-stack.json");
    expect(JSON.parse(readFileSync(stackFile, "utf8"))).toMatchObject({ version: 1, pid: dev.child.pid, rpcUrl, chainId: 31337, manifestPath: dev.manifestPath, apiUrl });
    expect(out).toContain(`export KEYLEDGER_RPC_URL=${rpcUrl} KEYLEDGER_MANIFEST=${dev.manifestPath} KEYLEDGER_API_URL=${apiUrl}`);

    dev.child.kill("SIGINT");
    expect(await dev.exited).toBe(0);
    expect(existsSync(stackFile)).toBe(false);
    expect(await answers(rpcUrl!)).toBe(false);
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(webUrl!)).rejects.toThrow();
  });

  it("takes the node down with it even when killed with SIGKILL", async () => {
    const dev = startDev(["--port", "0", "--json"], "sigkill");
    const out = await dev.output(/"ready":true/);
    const ready = JSON.parse(out.trim().split("\n").at(-1)!) as { rpcUrl: string; manifestPath: string; contracts: Record<string, string> };
    expect(ready.manifestPath).toBe(dev.manifestPath);
    expect(ready.contracts.KeyRegistry).toBe(loadManifest({ path: dev.manifestPath }).contracts.KeyRegistry.address);
    expect(await answers(ready.rpcUrl)).toBe(true);

    dev.child.kill("SIGKILL");
    await dev.exited;
    // No cleanup code runs on SIGKILL: the node notices its stdin closing and exits by itself.
    let alive = true;
    for (let attempt = 0; attempt < 50 && alive; attempt++) {
      alive = await answers(ready.rpcUrl);
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(false);
  });

  it("refuses a port the user chose that is already taken, with a clear message", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const { port } = blocker.address() as { port: number };
    try {
      const explicit = startDev(["--port", String(port)], "busy-explicit");
      expect(await explicit.exited).toBe(1);
      expect(explicit.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use.`);
    } finally {
      blocker.close();
    }
  });
});
