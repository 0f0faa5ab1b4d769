// The dApp in a real browser against the real stack `npm start` runs: a Hardhat
// node with the contracts deployed, the reference API and the dApp server.
// connect the dev account -> register a key generated in the page (its key file
// downloaded) -> a request signed with it is accepted by the API -> a DAO
// proposal revokes it (vote, time travel, queue, execute) -> the API rejects it
// with key-revoked and the page shows it revoked; a key registered with "Sign, let
// the API pay" is sent by the API's relayer. Screenshots of every page go to
// test-results/screenshots.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import type { Hex } from "viem";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeKeyId, generateKey, type KeyFile } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { decryptKeyFile, isEncryptedKeyFile, type SignableRequest, signRequest } from "../../src/signer/index.ts";
import { writeKeyFile } from "../../src/signer/keyFile.ts";
import { startIndexer, type StartIndexerReturnType } from "../../scripts/dev/startIndexer.ts";
import { startWebServer, type StartWebServerReturnType } from "../../web/server.ts";
import { localClients } from "../helpers/clients.ts";
import { registerKey } from "../helpers/registerKey.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { injectWallet } from "./browser/injectWallet.ts";
import { checkAccessibility } from "./browser/checkAccessibility.ts";
import { chromiumPath, hasChromium, launchBrowser, type LaunchBrowserReturnType } from "./browser/launchBrowser.ts";
import { measureFirstLoad } from "./browser/measureFirstLoad.ts";
import { watchConsole } from "./browser/watchConsole.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const screenshots = join(root, "test-results/screenshots");
const firstLoadBudget = 300 * 1024;
const step = { timeout: 30_000 };
const savePassphrase = "e2e passphrase 1";

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
  let nextKey: KeyFile;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    console.log(`browser e2e screenshots: ${screenshots}`);
    node = await startLocalNode();
    // Relaying as `npm start` does (dev account 10, which nothing else here sends from): "Sign, let the API pay".
    api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, relay: { account: devAccounts[10] } });
    // The dApp reads keys, history and proposals from the indexer, as `npm start` runs it.
    indexer = await startIndexer({ root, rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, pgliteDirectory: join(node.dir, "pglite"), logFile: join(node.dir, "indexer.log") });
    web = await startWebServer({ manifestPath: node.manifestPath, rpcUrl: node.rpcUrl, apiUrl: api.url, indexerUrl: indexer.url });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    // Try it's test requests to the API (/api/v1/…) are refused on purpose (a revoked key, a key not yet indexed).
    problems = watchConsole(page, { expectedRefusals: (url) => /^\/api\/v1\/(prices|orders)$/.test(new URL(url).pathname) }).problems;
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
  // Every page and state the test photographs is also checked by axe-core: no violations.
  const accessible = async (name: string, target: Page = page) => {
    const violations = await checkAccessibility(target);
    if (violations.length) console.log(`axe ${name}:`, JSON.stringify(violations, null, 1));
    expect.soft(violations, `axe violations on ${name}`).toEqual([]);
  };
  const shot = async (name: string) => {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    await accessible(name);
  };
  const confirmed = (scope: Locator) => scope.getByTestId("tx-confirmed").waitFor();
  const sign = (path: string, signer: KeyFile = key) =>
    signRequest<SignableRequest>({ method: "GET", url: `${api.url}${path}`, headers: {} }, { key: signer });
  const signedGet = async (path: string, signer: KeyFile = key) => {
    const signed = await sign(path, signer);
    const response = await fetch(signed.url, { headers: signed.headers as Record<string, string> });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  // Try it on `scope`: sent again until the API's verdict has `status` (its index follows the chain by polling).
  const tryUntil = async (scope: Locator, status: number) => {
    await expect
      .poll(
        async () => {
          await scope.getByTestId("try-send").click();
          await expect.poll(() => scope.getByTestId("try-send").isEnabled()).toBe(true);
          return scope.getByTestId("try-verdict").getAttribute("data-status", { timeout: 3_000 }).catch(() => "none");
        },
        { timeout: 10_000 },
      )
      .toBe(String(status));
    return scope.getByTestId("try-verdict");
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
    // The Connect button is gone: focus moves to the page's heading, not the body.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    expect(await page.title()).toBe("My keys · KeyLedger");
  });

  it("registers a key generated in the page and saves its key file once", step, async () => {
    await go("register");
    await page.getByLabel("Label").fill("e2e trading bot");
    await page.getByRole("checkbox", { name: "trade" }).check();
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("save-passphrase");
    // The label is in the generated key file now: read-only, and it says so.
    expect(await page.getByLabel("Label").getAttribute("readonly")).not.toBeNull();
    expect(await page.getByText("Fixed: it is written in the generated key file.", { exact: false }).count()).toBe(1);
    // Saved encrypted, in the CLI's format: the passphrase decrypts it, and the file never holds d in clear.
    await page.getByLabel("Passphrase for the key file").fill(savePassphrase);
    await page.getByLabel("Repeat the passphrase").fill(savePassphrase);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Save encrypted key file" }).click()]);
    const saved = JSON.parse(readFileSync((await download.path())!, "utf8")) as Record<string, unknown>;
    expect(isEncryptedKeyFile(saved)).toBe(true);
    expect(saved.privateKey).toBeUndefined();
    key = await decryptKeyFile({ file: saved, passphrase: savePassphrase });
    expect(key.alg).toBe("ed25519");
    expect(key.label).toBe("e2e trading bot");
    expect(key.privateKey?.d).toBeTypeOf("string");
    await page.getByTestId("register-submit").click();
    // A review of every value first.
    const review = await page.getByTestId("review").textContent();
    for (const part of ["“e2e trading bot”", key.keyId, "Ed25519", "trade", "signed in this page"]) expect(review).toContain(part);
    await shot("03a-register-review");
    await page.getByTestId("review-confirm").click();
    await confirmed(page.locator("form"));
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("tx-confirmed");
    expect(await page.title()).toBe("Register · KeyLedger");
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

  it("Try it on My keys: the key just registered signs a test request in the page, and the API's verdict shows", step, async () => {
    await go("keys");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.keyId}"]`);
    await row.getByTestId("row-try").click();
    const panel = page.getByTestId("try-it");
    // Held in the tab's memory since the registration: no key file to load.
    await panel.getByTestId("try-key-held").waitFor();
    const verdict = await tryUntil(panel, 200);
    expect(await verdict.getAttribute("data-reason")).toBe("accepted");
    expect(await verdict.textContent()).toContain(`Signed for ${api.url}/v1/prices`);
    // The key has trade too: the test order is accepted (201).
    await panel.getByRole("radio", { name: /POST \/v1\/orders/ }).check();
    expect(await (await tryUntil(panel, 201)).textContent()).toContain("Accepted: HTTP 201");
    expect(await page.content()).not.toContain(key.privateKey!.d!);
    await shot("04b-try-it-accepted");
  });

  it("Try it on the public owner view (#/owner/<address>): the same key signs there, no owner actions", step, async () => {
    // A hash change, not a reload: the key the tab holds since the registration stays held.
    await go(`owner/${devAccounts[0]}`);
    await page.getByRole("heading", { level: 1, name: "Keys of an owner" }).waitFor();
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.keyId}"]`);
    await row.getByTestId("row-try").waitFor();
    expect(await row.getByTestId("row-revoke").count()).toBe(0);
    await row.getByTestId("row-try").click();
    const panel = page.getByTestId("try-it");
    await panel.getByTestId("try-key-held").waitFor();
    expect(await (await tryUntil(panel, 200)).getAttribute("data-reason")).toBe("accepted");
    await shot("04c-owner-view-try-it");
  });

  it("rotates the key in the page: both versions are valid during the overlap", step, async () => {
    await go("rotate");
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    await page.getByText("chmod 600").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "save it unencrypted" }).click()]);
    const next = JSON.parse(readFileSync((await download.path())!, "utf8")) as KeyFile;
    nextKey = next;
    expect(next.keyId).not.toBe(key.keyId);
    await page.getByRole("button", { name: "Rotate to v2" }).click();
    expect(await page.getByTestId("review").textContent()).toContain(next.keyId);
    await page.getByRole("button", { name: "Confirm rotation to v2" }).click();
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

  it("a proposal's own page: vote with a reason, the voters, and why it was defeated", { timeout: 60_000 }, async () => {
    const g = node.manifest.governance;
    await go("governance");
    await page.getByRole("radio", { name: "Revoke a key" }).check();
    await page.getByLabel("Key id").fill(nextKey.keyId);
    // A lineage revoke: this key and every version rotated to before execution.
    await page.getByRole("radio", { name: "This key and every later version of its lineage" }).check();
    await expect.poll(() => page.getByTestId("revoke-scope-hint").textContent()).toContain("rotating during the vote does not escape it");
    await page.getByLabel("Reason (public, on-chain)").fill("e2e: should fail");
    await page.getByTestId("propose-submit").click();
    await confirmed(page.locator("#propose-title").locator(".."));
    // Newest first: the new proposal, once the list has it.
    await expect.poll(() => page.getByTestId("proposal").first().getAttribute("data-state"), { timeout: 5_000 }).toBe("Pending");
    await page.getByTestId("proposal").first().getByTestId("proposal-link").click();
    await page.getByRole("heading", { level: 1, name: /^Proposal / }).waitFor();
    expect(page.url()).toMatch(/#\/proposal\/\d+$/);
    expect(await page.title()).toMatch(/^Proposal \d+…? · KeyLedger$/);
    const proposal = page.getByTestId("proposal");
    expect(await proposal.textContent()).toContain("Revoke key");
    expect(await proposal.getByTestId("proposal-action").textContent()).toContain("and every later version of its lineage, as it stands at execution");

    await increaseTime(node.rpcUrl, g.votingDelay + 1);
    // Time travelled behind the page's back: it sees the new block on its next poll.
    await expect.poll(() => proposal.getAttribute("data-state"), { timeout: 15_000 }).toBe("Active");
    await page.getByLabel("Reason (public, on-chain)").fill("e2e: not needed");
    await page.getByTestId("vote-reason-against").click();
    await confirmed(page.locator("#vote-reason-title").locator(".."));
    await expect.poll(() => page.getByTestId("voters").textContent(), { timeout: 15_000 }).toContain("Against");
    expect(await page.getByTestId("voters").textContent()).toContain("e2e: not needed");

    await increaseTime(node.rpcUrl, g.votingPeriod + 1);
    await expect.poll(() => proposal.getAttribute("data-state"), { timeout: 15_000 }).toBe("Defeated");
    const why = await page.getByTestId("why-defeated").textContent();
    expect(why).toContain("Quorum not reached");
    expect(why).toContain("More votes against");
    await shot("06b-proposal-defeated");
  });

  it("keeps typed inputs and transaction messages with the account that made them", step, async () => {
    await go("governance");
    const power = page.locator("#power-title").locator("..");
    await power.getByLabel("Delegate to address").fill(devAccounts[0]);
    await power.getByRole("button", { name: "Delegate", exact: true }).click();
    await confirmed(power);
    await power.getByLabel("Delegate to address").fill(devAccounts[3]);

    await page.getByTestId("dev-account-select").selectOption("1");
    await expect.poll(() => power.getByLabel("Delegate to address").inputValue()).toBe("");
    expect(await page.getByTestId("tx-confirmed").count()).toBe(0);
    expect(await page.getByTestId("recent-transactions").count()).toBe(0);

    await page.getByTestId("dev-account-select").selectOption("0");
    const recent = page.getByTestId("recent-transactions");
    await recent.locator("summary").click();
    expect(await recent.textContent()).toContain("Delegate votes");
    expect(await recent.getByRole("button", { name: /Copy hash of Delegate votes/ }).count()).toBe(1);
  });

  it("the API now rejects the key with key-revoked and the page shows it revoked", step, async () => {
    await expect.poll(() => signedGet("/v1/prices")).toMatchObject({ status: 401, body: { error: "key-revoked" } });

    await go("keys");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.keyId}"]`);
    await expect.poll(() => row.getByTestId("key-status").first().textContent()).toBe("Revoked");
    await shot("07-my-keys-revoked");

    await go(`lookup/${key.keyId}`);
    const record = page.getByTestId("key-record");
    await expect.poll(() => record.getAttribute("data-state"), { timeout: 5_000 }).toBe("revoked");
    await expect.poll(() => record.getByTestId("key-history").textContent()).toContain("DAO (timelock)");
    await expect.poll(() => page.getByTestId("contract-status").textContent()).toBe("not valid: revoked");

    // Try it with the key the page still holds: the API's reason code and the verifier's words.
    await page.getByTestId("lookup-try").click();
    const verdict = await tryUntil(page.getByTestId("try-it"), 401);
    expect(await verdict.getAttribute("data-reason")).toBe("key-revoked");
    expect(await verdict.textContent()).toContain("The key was revoked.");
    await shot("07b-lookup-try-it-revoked");

    // The revocation links to the proposal that executed it, in the history and on the timeline.
    const link = record.getByTestId("key-history").getByTestId("proposal-ref");
    await link.waitFor({ timeout: 5_000 });
    expect(await record.getByTestId("timeline-acts").textContent()).toMatch(/v1 revoked .* by proposal 0x/);
    await link.click();
    await expect.poll(() => page.url()).toMatch(/#\/proposal\/\d+$/);
    await expect.poll(() => page.getByTestId("proposal").getAttribute("data-state")).toBe("Executed");
    expect(await page.getByTestId("proposal").textContent()).toContain("Revoke key");
    await go(`lookup/${key.keyId}`);
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

  it("registers an encrypted key file made by the CLI: passphrase asked, label taken, proof signed in the page", { timeout: 60_000 }, async () => {
    const cliKey = await generateKey({ label: "cli-encrypted" });
    const dir = mkdtempSync(join(tmpdir(), "keyledger-e2e-"));
    const path = join(dir, "cli-key.json");
    writeKeyFile({ path, key: cliKey, passphrase: savePassphrase, scryptN: 2 ** 14 });
    await go("register");
    await page.getByRole("radio", { name: "Use a key from the CLI" }).check();
    await page.getByLabel("Key file", { exact: true }).setInputFiles(path);
    await page.getByLabel("Key file passphrase").fill("a wrong passphrase");
    await page.getByRole("button", { name: "Unlock key file" }).click();
    await page.getByText(/Wrong passphrase/).waitFor();
    // The same file chosen again still loads.
    await page.getByLabel("Key file", { exact: true }).setInputFiles(path);
    await page.getByLabel("Key file passphrase").fill(savePassphrase);
    await page.getByRole("button", { name: "Unlock key file" }).click();
    await page.getByTestId("imported-key").waitFor();
    expect(await page.getByLabel("Label").inputValue()).toBe("cli-encrypted");
    expect(await page.getByLabel("Proof of possession (hex)").count()).toBe(0);
    expect(await page.content()).not.toContain(cliKey.privateKey!.d!);
    await page.getByLabel("Label").fill("cli-encrypted renamed");
    await page.getByTestId("register-submit").click();
    await page.getByTestId("review-confirm").click();
    await confirmed(page.locator("form"));
    expect(await page.getByTestId("tx-confirmed").textContent()).toContain("cli-encrypted renamed");
    // Registered under the connected account's namespace; the page says how to record the id in the file.
    const registryId = computeKeyId({ publicKey: cliKey.publicKey, owner: devAccounts[0] });
    expect(await page.getByTestId("tx-confirmed").textContent()).toContain(registryId.slice(0, 6));
    expect(await page.getByTestId("record-key-id").textContent()).toContain(`--owner ${devAccounts[0]} --write`);
    await shot("09a-register-cli-key");
    await page.getByRole("button", { name: "Register another key" }).click();

    // Try it with the encrypted file itself (still carrying its owner-free id): forget the key the
    // registration left in memory, load, unlock, send.
    await go(`lookup/${registryId}`);
    await page.getByTestId("lookup-try").click();
    const panel = page.getByTestId("try-it");
    await panel.getByTestId("try-forget").click();
    await panel.getByLabel("Key file to sign with").setInputFiles(path);
    await panel.getByLabel(/^Passphrase of/).fill(savePassphrase);
    await panel.getByRole("button", { name: "Unlock key file" }).click();
    await panel.getByTestId("try-key-held").waitFor();
    expect(await (await tryUntil(panel, 200)).getAttribute("data-reason")).toBe("accepted");
    expect(await page.content()).not.toContain(cliKey.privateKey!.d!);
    await panel.getByTestId("try-forget").click();
    await panel.getByTestId("try-load-key").waitFor();
  });

  it("a policy proposal shows each field's current and proposed value, the changes marked", step, async () => {
    await go("governance");
    await page.getByRole("radio", { name: "Change the policy" }).check();
    await page.getByLabel("Maximum key lifetime", { exact: true }).fill("90");
    await page.getByRole("checkbox", { name: "ECDSA secp256k1" }).uncheck();
    await page.getByTestId("propose-submit").click();
    await confirmed(page.locator("#propose-title").locator(".."));
    const card = page.getByTestId("proposal").first();
    await expect.poll(() => card.getByTestId("policy-diff").count(), { timeout: 5_000 }).toBe(1);
    const changed = async () => card.locator('[data-testid="policy-diff"] tr[data-changed="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-field")));
    expect(await changed()).toEqual(["maxLifetime", "allowedAlgorithms"]);
    expect(await card.locator('tr[data-field="allowedAlgorithms"]').textContent()).toContain("removes ECDSA secp256k1");
    await card.getByTestId("proposal-link").click();
    await page.getByRole("heading", { level: 1, name: /^Proposal / }).waitFor();
    // On its own page the card's title is an h2, right under the page's h1.
    await page.getByRole("heading", { level: 2, name: "Change the key policy" }).waitFor();
    expect(await changed()).toEqual(["maxLifetime", "allowedAlgorithms"]);
    await shot("06c-proposal-policy");
  });

  it("shows a refused transaction's custom error in words", step, async () => {
    // The revoked key's file, loaded again "from the CLI": its id can never come back.
    await go("register");
    await page.getByRole("radio", { name: "Use a key from the CLI" }).check();
    await page.getByLabel("…or paste the key file or a JWK").fill(JSON.stringify(key));
    // Read, then cleared: the private key is not left on screen.
    expect(await page.getByLabel("…or paste the key file or a JWK").inputValue()).toBe("");
    expect(await page.getByLabel("Label").inputValue()).toBe("e2e trading bot");
    await page.getByLabel("Label").fill("second try");
    // Simulated while the review is open: refused before the wallet is asked (no eth_sendTransaction at all).
    const sent: string[] = [];
    const onRequest = (request: import("playwright-core").Request) => {
      if (request.postData()?.includes("eth_sendTransaction")) sent.push(request.url());
    };
    page.on("request", onRequest);
    await page.getByTestId("register-submit").click();
    const refused = page.getByTestId("review-refused");
    await expect.poll(() => refused.getAttribute("data-code")).toBe("KeyAlreadyRegistered");
    expect(await refused.textContent()).toContain("is already registered");
    expect(await page.getByTestId("review-confirm").isDisabled()).toBe(true);
    await shot("09-register-refused");
    await page.getByRole("button", { name: "Back to edit" }).click();
    page.off("request", onRequest);
    expect(sent).toEqual([]);
  });

  it("revokes the rotated version in the page and names what it revoked, without a stale selection error", step, async () => {
    await go("revoke");
    await page.getByRole("checkbox", { name: /^v2 / }).check();
    await page.getByLabel("Reason (public, on-chain)").fill("e2e: retired");
    await page.getByRole("button", { name: "Revoke key…" }).click();
    await page.getByTestId("confirm-revoke").click();
    await confirmed(page.locator("form"));
    expect(await page.getByTestId("revoked-keys").textContent()).toContain("e2e trading bot v2");
    expect(await page.getByText("Select at least one key.").count()).toBe(0);
    await shot("11a-revoked");
  });

  it("revokes several keys in one transaction from the Revoke page (incident response)", step, async () => {
    const labels = ["batch-a", "batch-b", "batch-c"];
    const batch: Hex[] = [];
    for (const label of labels) batch.push((await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[0], label })).keyId);
    await go("revoke");
    for (const label of labels) {
      const all = page.getByRole("checkbox", { name: `All 1 unrevoked version of “${label}”` });
      await all.waitFor();
      await all.check();
    }
    await page.getByLabel("Reason (public, on-chain)").fill("e2e: incident 42");
    await page.getByRole("button", { name: "Revoke 3 keys…" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke 3 keys?" });
    await dialog.waitFor();
    for (const label of labels) expect(await dialog.textContent()).toContain(`${label} v1`);
    await shot("11b-revoke-batch-confirm");
    await page.getByTestId("confirm-revoke").click();
    // (The page still shows the previous test's revocation until this one confirms.)
    await expect.poll(() => page.getByTestId("revoked-keys").textContent()).toContain("Revoked 3 keys");
    const named = await page.getByTestId("revoked-keys").textContent();
    for (const label of labels) expect(named).toContain(`${label} v1`);
    // One transaction: the three KeyRevoked events share one transaction hash.
    const { publicClient } = localClients(node.rpcUrl);
    const events = await publicClient.getContractEvents({ address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, eventName: "KeyRevoked", fromBlock: 0n });
    const ours = events.filter((e) => batch.includes((e.args as { keyId: Hex }).keyId));
    expect(ours).toHaveLength(3);
    expect(new Set(ours.map((e) => e.transactionHash)).size).toBe(1);
    await shot("11c-revoke-batch-done");
    await go("keys");
    for (const id of batch) {
      const row = page.locator(`[data-testid="key-row"][data-key-id="${id}"]`);
      await expect.poll(() => row.getByTestId("key-status").first().textContent()).toBe("Revoked");
    }
  });

  it("appoints a rotator on My keys after a simulated review; the public owner view lists it; removes it", step, async () => {
    const rotator = devAccounts[7];
    await go("keys");
    const panel = page.getByTestId("owner-rotator");
    await panel.getByTestId("rotator-none").waitFor();
    await panel.getByLabel("Rotator address").fill(rotator);
    await panel.getByTestId("set-rotator").click();
    const review = page.getByRole("dialog", { name: "Review the new rotator" });
    await review.getByTestId("review-ok").waitFor();
    expect((await review.textContent())?.toLowerCase()).toContain(rotator.toLowerCase());
    await shot("11d-rotator-review");
    await review.getByTestId("review-confirm").click();
    await confirmed(panel);
    await expect.poll(async () => (await panel.getAttribute("data-rotator"))?.toLowerCase()).toBe(rotator.toLowerCase());
    expect(await panel.getByTestId("rotator-current").textContent()).toContain("may rotate and revoke your keys");
    await shot("11e-rotator-set");
    const { publicClient } = localClients(node.rpcUrl);
    const onChain = await publicClient.readContract({ address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "rotatorOf", args: [devAccounts[0]] });
    expect(onChain.toLowerCase()).toBe(rotator.toLowerCase());

    // Anyone's view of this owner shows it, without a form.
    await go(`owner/${devAccounts[0]}`);
    const publicPanel = page.getByTestId("owner-rotator");
    await expect.poll(async () => (await publicPanel.getAttribute("data-rotator"))?.toLowerCase()).toBe(rotator.toLowerCase());
    expect(await publicPanel.getByRole("button").count()).toBe(0);

    await go("keys");
    await panel.getByTestId("remove-rotator").click();
    const removal = page.getByRole("dialog", { name: "Remove your rotator?" });
    await removal.getByTestId("review-ok").waitFor();
    await removal.getByTestId("review-confirm").click();
    await confirmed(panel);
    await panel.getByTestId("rotator-none").waitFor();
  });

  it("a guardian suspends a key in the page; a DAO proposal lifts the suspension", { timeout: 90_000 }, async () => {
    // (Chain time is days ahead of the wall clock after the time travel above, so the API, on wall-clock
    // time, would call this key not yet valid: the contract's verdict on the Look-up page is checked instead.)
    const target = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: devAccounts[0], label: "guardian-target" });

    // Dev account 9 is the local guardian.
    await page.getByTestId("dev-account-select").selectOption("9");
    await go(`lookup/${target.keyId}`);
    const suspend = page.locator("section.guardian");
    await suspend.waitFor();
    expect(await suspend.getByLabel("Key id").inputValue()).toBe(target.keyId);
    await suspend.getByLabel("Reason (public, on-chain)").fill("e2e: odd traffic");
    await suspend.getByRole("button", { name: "Suspend…" }).click();
    await shot("16a-guardian-suspend-confirm");
    await page.getByRole("button", { name: "Suspend now" }).click();
    await confirmed(suspend);
    await shot("16b-guardian-suspended");
    const record = page.getByTestId("key-record");
    await expect.poll(() => record.getAttribute("data-state")).toBe("suspended");
    await expect.poll(() => page.getByTestId("contract-status").textContent()).toBe("not valid: suspended");
    await expect.poll(() => record.getByTestId("key-history").textContent()).toContain("e2e: odd traffic");

    // Only the DAO lifts it: account 0 proposes, votes, queues and executes.
    await page.getByTestId("dev-account-select").selectOption("0");
    await go("governance");
    await page.getByRole("radio", { name: "Lift a suspension" }).check();
    await page.getByLabel("Key id").fill(target.keyId);
    await page.getByTestId("propose-submit").click();
    await confirmed(page.locator("#propose-title").locator(".."));
    const proposal = page.getByTestId("proposal").first();
    const state = () => proposal.getAttribute("data-state");
    await expect.poll(state).toBe("Pending");
    expect(await proposal.textContent()).toMatch(/suspension|Unsuspend/i);
    await page.getByRole("button", { name: /past the voting delay/ }).click();
    await expect.poll(state).toBe("Active");
    await proposal.getByTestId("vote-for").click();
    await confirmed(proposal);
    await page.getByRole("button", { name: /past the voting period/ }).click();
    await expect.poll(state).toBe("Succeeded");
    await proposal.getByTestId("queue").click();
    await expect.poll(state).toBe("Queued");
    await proposal.getByTestId("proposal-eta").waitFor();
    await page.getByRole("button", { name: /past the timelock delay/ }).click();
    await proposal.getByTestId("execute").click();
    await expect.poll(state).toBe("Executed");
    await shot("16c-unsuspend-executed");

    await go(`lookup/${target.keyId}`);
    await expect.poll(() => page.getByTestId("key-record").getAttribute("data-state")).toBe("active");
    await expect.poll(() => page.getByTestId("contract-status").textContent()).toBe("valid now");
    await expect.poll(() => page.getByTestId("key-record").getByTestId("key-history").textContent()).toContain("DAO (timelock)");

    // My keys: the row's actions open Rotate and Revoke with this key preselected.
    await go("keys");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${target.keyId}"]`);
    await row.getByRole("link", { name: "Rotate guardian-target v1" }).click();
    await page.getByRole("heading", { level: 1, name: "Rotate a key" }).waitFor();
    expect(page.url()).toContain(`#/rotate/${target.keyId}`);
    await go("keys");
    await row.getByRole("link", { name: "Revoke guardian-target v1" }).click();
    await page.getByRole("heading", { level: 1, name: "Revoke keys" }).waitFor();
    const preselected = page.locator("fieldset", { hasText: "guardian-target" }).getByRole("checkbox", { name: /^v1 / });
    await expect.poll(() => preselected.isChecked()).toBe(true);
    await shot("17-revoke-preselected");
    // A revoked lineage of the batch above is hidden by the filter.
    await go("keys");
    await page.getByTestId("hide-revoked").check();
    await expect.poll(() => page.locator('[data-testid="lineage"][data-label="batch-a"]').count()).toBe(0);
    expect(await page.locator('[data-testid="lineage"][data-label="guardian-target"]').count()).toBe(1);
    await shot("18-my-keys-filtered");
  });

  it("registers a key with “Sign, let the API pay”: the relayer sends and pays, the key is the connected account's", step, async () => {
    await go("register");
    const choice = page.getByTestId("send-via");
    await choice.getByRole("radio", { name: "Sign, let the API pay" }).check();
    expect(await page.getByTestId("send-via-hint").textContent()).toContain("never change it");
    await page.getByLabel("Label").fill("e2e gasless");
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "save it unencrypted" }).click()]);
    const gasless = JSON.parse(readFileSync((await download.path())!, "utf8")) as KeyFile;
    // The wallet is asked for a signature (eth_signTypedData_v4), never for a transaction.
    const asked: string[] = [];
    const onRequest = (request: import("playwright-core").Request) => {
      const method = /"method":"(eth_sendTransaction|eth_signTypedData_v4)"/.exec(request.postData() ?? "")?.[1];
      if (method) asked.push(method);
    };
    page.on("request", onRequest);
    await page.getByTestId("register-submit").click();
    await page.getByTestId("review-ok").waitFor();
    expect(await page.getByTestId("review").textContent()).toContain("the API's relayer, which pays the gas");
    await shot("03b-register-gasless-review");
    await page.getByTestId("review-confirm").click();
    await confirmed(page.locator("form"));
    page.off("request", onRequest);
    expect(asked).toEqual(["eth_signTypedData_v4"]);
    const done = page.getByTestId("tx-confirmed");
    expect(await done.textContent()).toContain("sent and paid for by the API's relayer");
    await shot("03c-register-gasless-confirmed");

    // On chain: the transaction is the relayer's (dev account 10), the key the connected account's.
    const hash = (await done.locator("code").first().getAttribute("title")) as Hex;
    const { publicClient } = localClients(node.rpcUrl);
    const receipt = await publicClient.getTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(devAccounts[10].toLowerCase());
    expect(receipt.from.toLowerCase()).not.toBe(devAccounts[0].toLowerCase());
    expect((await done.getAttribute("data-paid-by"))?.toLowerCase()).toBe(devAccounts[10].toLowerCase());
    const keyId = computeKeyId({ publicKey: gasless.publicKey, owner: devAccounts[0] });
    const record = await publicClient.readContract({ address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName: "getKey", args: [keyId] });
    expect(record).toMatchObject({ owner: devAccounts[0], state: 1 });
    expect(await done.textContent()).toContain(keyId.slice(0, 6));
  });

  it("renders every page without console errors", step, async () => {
    for (const [hash, name] of [
      ["rotate", "10-rotate"],
      ["revoke", "11-revoke"],
    ] as const) {
      await go(hash);
      await shot(name);
    }
    // 1280 px, connected: the header is one row.
    await page.setViewportSize({ width: 1280, height: 900 });
    await go("governance");
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll(".site-header > *")].map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)),
    );
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThan(12);

    // 390 px: every page, Governance and Look-up included, is on screen in the navigation.
    await page.setViewportSize({ width: 390, height: 844 });
    await go("keys");
    await shot("12-my-keys-mobile");
    for (const name of ["Governance", "Look-up"]) {
      const box = (await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Governance" }).click();
    await page.getByRole("heading", { name: "Governance", level: 1 }).waitFor();
    expect(await page.title()).toBe("Governance · KeyLedger");
    await shot("13-governance-mobile");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Look-up" }).click();
    await page.getByRole("heading", { level: 1 }).filter({ hasText: /Look/ }).waitFor();
    // 390 × 844 (a phone): every page of the navigation is on screen, tappable and opens its page.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, title, hash] of [
      ["My keys", "My keys", "keys"],
      ["Register", "Register", "register"],
      ["Rotate", "Rotate", "rotate"],
      ["Revoke", "Revoke", "revoke"],
      ["Governance", "Governance", "governance"],
      ["Look-up", "Look-up", "lookup"],
    ] as const) {
      const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
      await link.scrollIntoViewIfNeeded();
      const box = (await link.boundingBox())!;
      expect(box.x, name).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, name).toBeLessThanOrEqual(390);
      // Touch targets of at least 24 × 24 CSS px (WCAG 2.2 target size, minimum).
      expect(box.height, name).toBeGreaterThanOrEqual(24);
      await link.click();
      await expect.poll(() => page.title()).toBe(`${title} · KeyLedger`);
      expect(page.url()).toContain(`#/${hash}`);
      await page.locator("main h1").first().waitFor();
      // Nothing wider than the screen: no sideways scrolling.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest(".table-wrap"))
          .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ${(e.textContent ?? "").slice(0, 30)}`)
          .slice(0, 5),
      );
      expect(wide, `${name}: elements wider than the screen`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
      await shot(`13-mobile-${hash}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await go(`owner/${devAccounts[0]}`);
    await page.locator('[data-testid="key-row"]').first().waitFor();
    await shot("13b-owner");

    // Disconnect: focus goes to the Connect button that replaces it; the prompt does not point "top right".
    await go("register");
    await page.getByRole("button", { name: "Disconnect" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Connect");
    expect(await page.getByTestId("connect-prompt").textContent()).not.toContain("top right");
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
      await accessible("14-wrong-network", walletPage);
      await banner.getByRole("button", { name: "Switch to chain 31337" }).click();
      await banner.waitFor({ state: "detached" });

      const power = walletPage.locator("#power-title").locator("..");
      await power.getByLabel("Delegate to address").fill(devAccounts[2]);
      await walletPage.evaluate(() => ((window as unknown as { __keyledgerWalletReject: boolean }).__keyledgerWalletReject = true));
      await power.getByRole("button", { name: "Delegate", exact: true }).click();
      const error = power.getByTestId("tx-error");
      await expect.poll(() => error.getAttribute("data-code")).toBe("user-rejected");
      await walletPage.screenshot({ path: join(screenshots, "15-wallet-rejected.png"), fullPage: true });
      await accessible("15-wallet-rejected", walletPage);
      await power.getByRole("button", { name: "Delegate", exact: true }).click();
      await confirmed(power);
      expect(walletProblems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
