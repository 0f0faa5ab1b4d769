// The dApp in a real browser against the real stack `npm start` runs: a Hardhat
// node with the contracts deployed, the reference API and the dApp server.
// connect the dev account -> register a key generated in the page (its key file
// downloaded) -> a request signed with it is accepted by the API -> a DAO
// proposal revokes it (vote, time travel, queue, execute) -> the API rejects it
// with key-revoked and the page shows it revoked. Screenshots of every page go to
// test-results/screenshots.
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { type SignableRequest, signRequest } from "../../src/signer/index.ts";
import { startIndexer, type StartIndexerReturnType } from "../../scripts/dev/startIndexer.ts";
import { startWebServer, type StartWebServerReturnType } from "../../web/server.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { injectWallet } from "./browser/injectWallet.ts";
import { chromiumPath, hasChromium, launchBrowser, type LaunchBrowserReturnType } from "./browser/launchBrowser.ts";
import { measureFirstLoad } from "./browser/measureFirstLoad.ts";
import { watchConsole } from "./browser/watchConsole.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const screenshots = join(root, "test-results/screenshots");
const firstLoadBudget = 300 * 1024;
const step = { timeout: 30_000 };

if (!hasChromium()) console.warn(`browser e2e skipped: no Chromium at ${chromiumPath} (apt-get install chromium; .ci/run does it)`);

describe.skipIf(!hasChromium())("dApp in a real browser", () => {
  let node: LocalNode;
  let api: StartApiServerReturnType;
  let web: StartWebServerReturnType;
  let indexer: StartIndexerReturnType;
  let browser: LaunchBrowserReturnType;
  let page: Page;
  let problems: string[];
  let key: KeyFile;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    console.log(`browser e2e screenshots: ${screenshots}`);
    node = await startLocalNode();
    api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0 });
    // The dApp reads keys, history and proposals from the indexer, as `npm start` runs it.
    indexer = await startIndexer({ root, rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, pgliteDirectory: join(node.dir, "pglite"), logFile: join(node.dir, "indexer.log") });
    web = await startWebServer({ manifestPath: node.manifestPath, rpcUrl: node.rpcUrl, apiUrl: api.url, indexerUrl: indexer.url });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    problems = watchConsole(page).problems;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await indexer?.stop();
    await api?.close();
    await node?.stop();
  });

  const go = async (hash: string) => {
    await page.goto(`${web.url}#/${hash}`);
    await expect.poll(() => page.locator("main h1").count()).toBeGreaterThan(0);
  };
  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const confirmed = (scope: Locator) => scope.getByTestId("tx-confirmed").waitFor();
  const sign = (path: string, signer: KeyFile = key) =>
    signRequest<SignableRequest>({ method: "GET", url: `${api.url}${path}`, headers: {} }, { key: signer });
  const signedGet = async (path: string, signer: KeyFile = key) => {
    const signed = await sign(path, signer);
    const response = await fetch(signed.url, { headers: signed.headers as Record<string, string> });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("loads the first page within the JavaScript budget", async () => {
    const load = await measureFirstLoad(page, web.url);
    console.log(`first page: ${load.scripts.length} scripts, ${(load.gzipBytes / 1024).toFixed(1)} KB gzipped JS`);
    expect(load.gzipBytes).toBeLessThan(firstLoadBudget);
    await page.getByRole("heading", { name: "My keys" }).waitFor();
    await shot("01-my-keys-disconnected");
  });

  it("connects the local dev account", step, async () => {
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await shot("02-connect-dialog");
    await page.getByRole("button", { name: /Local dev account/ }).click();
    await expect.poll(() => page.getByTestId("dev-account-select").inputValue()).toBe("0");
  });

  it("registers a key generated in the page and saves its key file once", step, async () => {
    await go("register");
    await page.getByLabel("Label").fill("e2e trading bot");
    await page.getByRole("checkbox", { name: "trade" }).check();
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Save private key file" }).click()]);
    key = JSON.parse(readFileSync((await download.path())!, "utf8")) as KeyFile;
    expect(key.alg).toBe("ed25519");
    expect(key.label).toBe("e2e trading bot");
    expect(key.privateKey?.d).toBeTypeOf("string");
    await page.getByTestId("register-submit").click();
    await confirmed(page.locator("form"));
    await shot("03-register-confirmed");

    await go("keys");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.keyId}"]`);
    await expect.poll(() => row.getByTestId("key-status").first().textContent()).toBe("Active");
    await shot("04-my-keys-registered");
  });

  it("a request signed with that key is accepted by the reference API", step, async () => {
    // The API's index follows the chain by polling; the registration may take a moment to arrive.
    await expect.poll(() => signedGet("/v1/prices")).toMatchObject({ status: 200, body: { prices: expect.any(Object) } });
  });

  it("rotates the key in the page: both versions are valid during the overlap", step, async () => {
    await go("rotate");
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Save private key file" }).click()]);
    const next = JSON.parse(readFileSync((await download.path())!, "utf8")) as KeyFile;
    expect(next.keyId).not.toBe(key.keyId);
    await page.getByRole("button", { name: "Rotate to v2" }).click();
    await confirmed(page.locator("form, .form").first());
    await expect.poll(() => page.getByText("Both versions are valid until").count()).toBeGreaterThan(0);
    await shot("10b-rotated");

    // Roll-back path: keep v1 valid a day longer than the overlap.
    const extend = page.locator("form", { has: page.getByRole("button", { name: "Extend overlap" }) });
    await extend.getByRole("button", { name: "Extend overlap" }).click();
    await confirmed(extend);

    // The old version stays valid for the overlap, the new one works at once.
    await expect.poll(() => signedGet("/v1/prices", next)).toMatchObject({ status: 200 });
    expect(await signedGet("/v1/prices")).toMatchObject({ status: 200 });
    await go("keys");
    for (const id of [key.keyId, next.keyId]) {
      const row = page.locator(`[data-testid="key-row"][data-key-id="${id}"]`);
      await expect.poll(() => row.getByTestId("key-status").first().textContent()).toBe("Active");
    }
  });

  it("revokes the key through a DAO proposal: propose, vote, queue, execute", { timeout: 60_000 }, async () => {
    await go("governance");
    await page.getByRole("radio", { name: "Revoke a key" }).check();
    await page.getByLabel("Key id").fill(key.keyId);
    await page.getByLabel("Reason (public, on-chain)").fill("e2e: key leaked");
    await page.getByTestId("propose-submit").click();
    await confirmed(page.locator("#propose-title").locator(".."));
    const proposal = page.getByTestId("proposal").first();
    const state = () => proposal.getAttribute("data-state");
    await expect.poll(state).toBe("Pending");

    await page.getByRole("button", { name: /past the voting delay/ }).click();
    await expect.poll(state).toBe("Active");
    await proposal.getByTestId("vote-for").click();
    await confirmed(proposal);
    await shot("05-governance-voted");

    await page.getByRole("button", { name: /past the voting period/ }).click();
    await expect.poll(state).toBe("Succeeded");
    await proposal.getByTestId("queue").click();
    await expect.poll(state).toBe("Queued");
    await proposal.getByTestId("proposal-eta").waitFor();

    await page.getByRole("button", { name: /past the timelock delay/ }).click();
    await proposal.getByTestId("execute").click();
    await expect.poll(state).toBe("Executed");
    await shot("06-governance-executed");
  });

  it("the API now rejects the key with key-revoked and the page shows it revoked", step, async () => {
    await expect.poll(() => signedGet("/v1/prices")).toMatchObject({ status: 401, body: { error: "key-revoked" } });

    await go("keys");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.keyId}"]`);
    await expect.poll(() => row.getByTestId("key-status").first().textContent()).toBe("Revoked");
    await shot("07-my-keys-revoked");

    await go(`lookup/${key.keyId}`);
    const record = page.getByTestId("key-record");
    await expect.poll(() => record.getAttribute("data-state")).toBe("revoked");
    await expect.poll(() => record.getByTestId("key-history").textContent()).toContain("DAO (timelock)");
    await expect.poll(() => page.getByTestId("contract-status").textContent()).toBe("not valid: revoked");
  });

  it("explains a pasted signed request", step, async () => {
    const signed = await sign("/v1/prices");
    const url = new URL(signed.url);
    const headers = Object.entries(signed.headers as Record<string, string>).map(([name, value]) => `${name}: ${value}`);
    const raw = [`GET ${url.pathname} HTTP/1.1`, `host: ${url.host}`, ...headers, "", ""].join("\n");
    await page.getByLabel("Raw HTTP request").fill(raw);
    await page.getByRole("button", { name: "Check request" }).click();
    const verdict = page.getByTestId("verdict");
    await verdict.waitFor();
    // The verdict is the reference API verifier's (POST /v1/verify-request); the page
    // adds what the chain knows about the signing key.
    expect(await verdict.getAttribute("data-verdict")).toBe("key-revoked");
    await expect.poll(() => page.locator(".record.compact").textContent()).toContain("revoked on chain");
    await shot("08-lookup-revoked");

    // Text that is not a key id (here a key file pasted by mistake) never reaches the URL.
    const keyIdField = page.getByLabel("Key id");
    await keyIdField.fill('{"privateKey":{"d":"c2VjcmV0"}}');
    await page.getByRole("button", { name: "Look up" }).click();
    await page.getByText("A key id is 0x followed by 64 hex digits.").waitFor();
    expect(page.url()).not.toContain("privateKey");
    expect(page.url()).not.toContain("c2VjcmV0");
  });

  it("shows a refused transaction's custom error in words", step, async () => {
    // The revoked key's file, loaded again "from the CLI": its id can never come back.
    await go("register");
    await page.getByLabel("Label").fill("second try");
    await page.getByRole("radio", { name: "Use a key from the CLI" }).check();
    await page.getByLabel("…or paste the key file or a JWK").fill(JSON.stringify(key));
    await page.getByTestId("register-submit").click();
    const error = page.getByTestId("tx-error");
    await expect.poll(() => error.getAttribute("data-code")).toBe("KeyAlreadyRegistered");
    expect(await error.textContent()).toContain("is already registered");
    await shot("09-register-refused");
  });

  it("renders every page without console errors", step, async () => {
    for (const [hash, name] of [
      ["rotate", "10-rotate"],
      ["revoke", "11-revoke"],
    ] as const) {
      await go(hash);
      await shot(name);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await go("keys");
    await shot("12-my-keys-mobile");
    await go("governance");
    await shot("13-governance-mobile");
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
  });

  it("works with a browser wallet found through EIP-6963: wrong network, switch, rejected and confirmed signatures", step, async () => {
    const other = await launchBrowser();
    try {
      await injectWallet(other.context, { rpcUrl: node.rpcUrl, account: devAccounts[1], chainId: 1 });
      const walletPage = other.page;
      const walletProblems = watchConsole(walletPage).problems;
      await walletPage.goto(`${web.url}#/governance`);
      await walletPage.getByRole("button", { name: "Connect", exact: true }).click();
      await walletPage.getByRole("button", { name: /Test Wallet/ }).click();
      const banner = walletPage.getByTestId("wrong-network");
      await banner.waitFor();
      expect(await banner.textContent()).toContain("Your wallet is on chain 1");
      await walletPage.screenshot({ path: join(screenshots, "14-wrong-network.png"), fullPage: true });
      await banner.getByRole("button", { name: "Switch to chain 31337" }).click();
      await banner.waitFor({ state: "detached" });

      const power = walletPage.locator("#power-title").locator("..");
      await power.getByLabel("Delegate to address").fill(devAccounts[2]);
      await walletPage.evaluate(() => ((window as unknown as { __keyledgerWalletReject: boolean }).__keyledgerWalletReject = true));
      await power.getByRole("button", { name: "Delegate", exact: true }).click();
      const error = power.getByTestId("tx-error");
      await expect.poll(() => error.getAttribute("data-code")).toBe("user-rejected");
      await walletPage.screenshot({ path: join(screenshots, "15-wallet-rejected.png"), fullPage: true });
      await power.getByRole("button", { name: "Delegate", exact: true }).click();
      await confirmed(power);
      expect(walletProblems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
