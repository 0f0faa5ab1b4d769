// The dApp server as `npm start` runs it (production bundle, runtime files,
// security headers, /api proxy), read through the page's own loader.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { get } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../../../src/server/index.ts";
import { createVerifier, staticKeyResolver } from "../../../src/verifier/index.ts";
import { startWebServer, type StartWebServerReturnType } from "../../server.ts";
import { loadRuntime } from "./loadRuntime.ts";

const manifest = {
  version: 1,
  chainId: 31337,
  deploymentBlock: 1,
  deploymentBlockHash: `0x${"11".repeat(32)}`,
  deployedAt: "2026-11-28T00:00:00.000Z",
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  contracts: {
    KeyRegistry: { address: "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9", abi: [] },
    KeyLedgerToken: { address: "0x5fbdb2315678afecb367f032d93f642f64180aa3", abi: [] },
    KeyLedgerTimelock: { address: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", abi: [] },
    KeyLedgerGovernor: { address: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0", abi: [] },
  },
  governance: { votingDelay: 1, votingPeriod: 300, quorumPercent: 4, timelockDelay: 60, proposalThreshold: "0" },
  policy: { maxLifetime: 31_536_000, maxOverlap: 2_592_000, maxSuspension: 86_400, maxKeysPerOwner: 65_535, allowedAlgorithms: 14, allowedScopes: 15 },
  scopes: ["read", "trade", "withdraw", "admin"],
  guardians: [],
  // Real manifests carry the ABIs (~125 kB): enough to be worth compressing.
  notes: Array.from({ length: 50 }, (_, i) => `entry ${i} of a long manifest`),
};

describe("startWebServer", () => {
  let dir: string;
  let api: ApiServer;
  let web: StartWebServerReturnType;
  const verifier = createVerifier({ keys: staticKeyResolver({}) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keyledger-web-"));
    writeFileSync(join(dir, "31337.json"), JSON.stringify(manifest));
    api = await createApiServer({ verifier });
    web = await startWebServer({ manifestPath: join(dir, "31337.json"), rpcUrl: "http://127.0.0.1:8545", apiUrl: api.url });
  }, 120_000);

  afterAll(async () => {
    await web?.close();
    await api?.close();
    await verifier.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the bundle under a strict Content-Security-Policy that allows the RPC origin", async () => {
    const response = await fetch(web.url);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:8545;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = (await response.text()).replaceAll("&#39;", "'");
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self';/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("hands the page its chain at run time", async () => {
    const runtime = await loadRuntime({ baseUrl: web.url });
    expect(runtime).toMatchObject({
      rpcUrl: "http://127.0.0.1:8545/",
      apiUrl: `${web.url}api`,
      // Requests to /api are signed for the API's own URL: that is what it sees behind the proxy.
      apiSigningUrl: api.url,
      verifyRequest: false,
      // This API does not relay: the page offers no "Sign, let the API pay".
      relay: false,
      chainId: 31337,
      deploymentBlock: 1n,
      addresses: { KeyRegistry: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" },
    });
  });

  it("says when the API relays signed operations (npm start's API does): probed with a GET, which a relayer answers 405", async () => {
    const relaying = await createApiServer({
      verifier,
      relayer: { address: "0xBcd4042DE499D14e55001CcbB24a551F3b954096", relay: async () => ({ status: 500, body: {}, operation: "invalid" }) },
    });
    const other = await startWebServer({ manifestPath: join(dir, "31337.json"), rpcUrl: "http://127.0.0.1:8545", apiUrl: relaying.url });
    try {
      expect(await loadRuntime({ baseUrl: other.url })).toMatchObject({ apiUrl: `${other.url}api`, relay: true });
      expect((await fetch(`${relaying.url}/v1/relay`)).status).toBe(405);
      expect((await fetch(`${api.url}/v1/relay`)).status).toBe(404);
    } finally {
      await other.close();
      await relaying.close();
    }
  });

  it("proxies the reference API under /api", async () => {
    const response = await fetch(`${web.url}api/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("keyledger_api_requests_verified_total");
  });

  it("serves deployment.json and the built assets compressed when the client accepts it", async () => {
    const raw = (path: string, acceptEncoding: string | undefined) =>
      new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>((done, fail) => {
        get(`${web.url}${path}`, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done({ encoding: res.headers["content-encoding"], vary: res.headers.vary, body: Buffer.concat(chunks) }));
        }).once("error", fail);
      });
    const plain = await raw("deployment.json", undefined);
    expect(plain.encoding).toBeUndefined();
    const br = await raw("deployment.json", "gzip, deflate, br");
    expect(br.encoding).toBe("br");
    expect(br.vary).toBe("Accept-Encoding");
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length);
    const gz = await raw("deployment.json", "gzip");
    expect(gz.encoding).toBe("gzip");
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const html = (await raw("", undefined)).body.toString();
    const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(html)![1]!;
    const js = await raw(script, "gzip;q=0, br");
    expect(js.encoding).toBe("br");
    const jsPlain = await raw(script, "identity");
    expect(jsPlain.encoding).toBeUndefined();
    expect(brotliDecompressSync(js.body).equals(jsPlain.body)).toBe(true);
    expect(js.body.length * 2).toBeLessThan(jsPlain.body.length);
  });

  it("says how to fix a missing deployment", async () => {
    rmSync(join(dir, "31337.json"));
    await expect(loadRuntime({ baseUrl: web.url })).rejects.toThrow(/HTTP 404\)\. Deploy the contracts first/);
    writeFileSync(join(dir, "31337.json"), JSON.stringify({ ...manifest, contracts: {} }));
    await expect(loadRuntime({ baseUrl: web.url })).rejects.toThrow("The deployment manifest is invalid: contracts.KeyRegistry.address");
  });
});
