// The signer in a real browser: bundle `keyledger/signer` with Vite, load it in
// headless Chromium, generate keys and sign there, verify here in Node.
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { algorithms, type KeyFile } from "../../src/keys/index.ts";
import { createVerifier, staticKeyResolver, type VerifyRequestInit } from "../../src/verifier/index.ts";
import { chromiumPath, hasChromium, launchBrowser, type LaunchBrowserReturnType } from "../e2e/browser/launchBrowser.ts";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

describe.skipIf(!hasChromium())(`signer in Chromium (${chromiumPath})`, () => {
  let out: string;
  let server: Server;
  let origin: string;
  let browser: LaunchBrowserReturnType;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "keyledger-signer-bundle-"));
    await build({
      configFile: false,
      logLevel: "silent",
      root,
      build: { outDir: out, emptyOutDir: true, minify: false, lib: { entry: join(root, "src/signer/index.ts"), formats: ["es"], fileName: () => "signer.js" } },
    });
    server = createServer((req, res) => {
      if (req.url === "/signer.js") res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(join(out, "signer.js")));
      else res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>signer</title>");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    await browser.page.goto(origin);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  for (const alg of algorithms) {
    it(`${alg}: a request signed in the browser verifies in Node`, async () => {
      // A string, so vitest's transform leaves the browser's dynamic import alone.
      const signed = (await browser.page.evaluate(`(async () => {
        const signer = await import(location.origin + "/signer.js");
        const key = await signer.generateKey({ alg: ${JSON.stringify(alg)}, label: "browser" });
        const request = await signer.signRequest(
          { method: "POST", url: "https://api.example.com/v1/orders?venue=main", headers: { "content-type": "application/json" }, body: '{"side":"buy"}' },
          { key },
        );
        return { key: { ...key, privateKey: undefined }, request };
      })()`)) as { key: KeyFile; request: VerifyRequestInit };
      const verifier = createVerifier({ keys: staticKeyResolver({ [signed.key.keyId]: { alg: signed.key.alg, publicKey: signed.key.publicKey } }) });
      const result = await verifier.verify(signed.request);
      expect(result.ok ? result.alg : result.message).toBe(alg);
    });
  }
});
