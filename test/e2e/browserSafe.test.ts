// "Owner: a Safe" in a real browser against the real stack: a Hardhat node with the
// contracts, a real Safe 1.5 (2-of-3, safe-smart-account's published artifacts), the
// reference API relaying from dev account 10, the indexer and the dApp server. The
// connected dev account is one owner: it signs in the page; a second owner's signature is
// added the way another owner sends it back, as the exported signing request file signed
// on the node (eth_signTypedData_v4); a non-owner's signature in such a file is refused with
// the page's message. The Safe registers a key (the API pays), rotates it (the API pays) and
// revokes the first version (sent from the connected wallet); the chain shows each, owned by
// and revoked by the Safe. Last, from its owner view, the Safe appoints a rotator (the API pays).
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type Address, getAddress, type Hex, isAddressEqual, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { startIndexer, type StartIndexerReturnType } from "../../scripts/dev/startIndexer.ts";
import { startWebServer, type StartWebServerReturnType } from "../../web/server.ts";
import { safeMessageTypedData } from "../../web/src/chain/safe/safeMessageTypedData.ts";
import type { SafeSigningRequest } from "../../web/src/chain/safe/safeSigningRequest.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { createSafe, deploySafeInfrastructure } from "../helpers/safe.ts";
import { checkAccessibility } from "./browser/checkAccessibility.ts";
import { chromiumPath, hasChromium, launchBrowser, type LaunchBrowserReturnType } from "./browser/launchBrowser.ts";
import { watchConsole } from "./browser/watchConsole.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const screenshots = join(root, "test-results/screenshots");
const step = { timeout: 60_000 };
// Owners among the dev accounts the page's picker offers (#0–#9); #2 is connected.
const owners = [devAccounts[2], devAccounts[3], devAccounts[4]] as const;
const nonOwner = devAccounts[5];
const relayer = devAccounts[10];

if (!hasChromium()) console.warn(`browser Safe e2e skipped: no Chromium at ${chromiumPath}`);

describe.skipIf(!hasChromium())("dApp: a Safe's keys, signed by its owners", () => {
  let node: LocalNode;
  let api: StartApiServerReturnType;
  let indexer: StartIndexerReturnType;
  let web: StartWebServerReturnType;
  let browser: LaunchBrowserReturnType;
  let page: Page;
  let problems: string[];
  let safe: Address;
  let keyId: Hex;
  let nextKeyId: Hex;
  const files = mkdtempSync(join(tmpdir(), "keyledger-safe-e2e-"));

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    node = await startLocalNode();
    const infra = await deploySafeInfrastructure(node.rpcUrl, devAccounts[16]);
    safe = getAddress(await createSafe(node.rpcUrl, infra, { owners: [...owners], threshold: 2, from: devAccounts[16] }));
    api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, relay: { account: relayer } });
    indexer = await startIndexer({ root, rpcUrl: node.rpcUrl, manifestPath: node.manifestPath, pgliteDirectory: join(node.dir, "pglite"), logFile: join(node.dir, "indexer.log") });
    web = await startWebServer({ manifestPath: node.manifestPath, rpcUrl: node.rpcUrl, apiUrl: api.url, indexerUrl: indexer.url });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    problems = watchConsole(page).problems;
    page.on("pageerror", (error) => console.log("page error:", error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await indexer?.stop();
    await api?.close();
    await node?.stop();
  });

  const registry = () => node.manifest.contracts.KeyRegistry.address;
  const getKey = (id: Hex) => localClients(node.rpcUrl).publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "getKey", args: [id] });
  const go = async (hash: string) => {
    // A hash route to the page already shown changes nothing: pass by another page so it starts afresh.
    if (page.url().endsWith(`#/${hash}`)) await page.goto(`${web.url}#/lookup`);
    await page.goto(`${web.url}#/${hash}`);
    await page.locator("main h1").first().waitFor();
  };
  const shot = async (name: string) => {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    const violations = await checkAccessibility(page);
    if (violations.length) console.log(`axe ${name}:`, JSON.stringify(violations, null, 1));
    expect.soft(violations, `axe violations on ${name}`).toEqual([]);
  };
  const chooseSafe = async () => {
    await page.getByRole("radio", { name: "A Safe" }).check();
    await page.getByLabel("Safe address").fill(safe);
    await expect.poll(() => page.getByTestId("safe-info").textContent()).toContain("2 of 3 owners must sign. Your wallet is one of them.");
  };
  /** The page's exported request, as the other owner receives it. */
  const exportRequest = async (): Promise<SafeSigningRequest> => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export signing request" }).click()]);
    return JSON.parse(readFileSync((await download.path())!, "utf8")) as SafeSigningRequest;
  };
  /** `signer` signs the request's SafeMessage with its wallet (the node's eth_signTypedData_v4) and the file is loaded into the page. */
  const importSignedBy = async (request: SafeSigningRequest, signer: Address, name: string) => {
    const signature = await localClients(node.rpcUrl).walletClient.signTypedData({ account: signer, ...safeMessageTypedData({ chainId: request.chainId, safe: request.safe, message: request.registryDigest }) });
    const path = join(files, `${name}.json`);
    writeFileSync(path, JSON.stringify({ ...request, signatures: [...request.signatures, { owner: signer, signature }] }));
    await page.getByLabel("Signing request file").setInputFiles(path);
  };
  const progress = () => page.getByTestId("safe-progress").textContent();
  /** On Revoke, as the Safe: the key, the reason, the request prepared and signed by the connected owner, then exported. */
  const prepareRevocation = async (key: RegExp, reason: string) => {
    await go("revoke");
    await chooseSafe();
    const choice = page.getByRole("radio", { name: key });
    await choice.waitFor({ timeout: 20_000 });
    await choice.check();
    await page.getByLabel("Reason (public, on-chain)").fill(reason);
    await page.getByRole("button", { name: "Prepare the Safe's signing request" }).click();
    await page.getByTestId("safe-signing").waitFor();
    await page.getByRole("button", { name: "Sign with my wallet" }).click();
    await expect.poll(progress).toBe("1 of 2 signatures; 1 missing.");
    return exportRequest();
  };

  it("connects dev account #2, an owner of the Safe", step, async () => {
    await go("register");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.getByRole("button", { name: /Local dev account/ }).click();
    await page.getByTestId("dev-account-select").selectOption("2");
    await expect.poll(() => page.getByTestId("dev-account-select").inputValue()).toBe("2");
  });

  it("registers a key for the Safe: the owner signs in the page, a non-owner's signature is refused, a second owner's file completes it, the API pays", step, async () => {
    await go("register");
    await chooseSafe();
    await page.getByLabel("Label").fill("treasury bot");
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    const [saved] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "save it unencrypted" }).click()]);
    const key = JSON.parse(readFileSync((await saved.path())!, "utf8")) as KeyFile;
    // The key id is namespaced under the Safe, not the connected owner.
    expect(isAddressEqual(key.keyId.slice(0, 42) as Address, safe)).toBe(true);
    keyId = key.keyId;
    await page.getByRole("button", { name: "Prepare the Safe's signing request" }).click();
    await page.getByTestId("safe-signing").waitFor();
    expect(await progress()).toBe("0 of 2 signatures; 2 missing.");
    await shot("safe-01-register-request");

    await page.getByRole("button", { name: "Sign with my wallet" }).click();
    await expect.poll(progress).toBe("1 of 2 signatures; 1 missing.");
    const request = await exportRequest();
    expect(request).toMatchObject({ kind: "keyledger-safe-signing-request", safe, nonce: "0", operation: { operation: "register", label: "treasury bot" } });
    expect(request.signatures.map((s) => s.owner)).toEqual([getAddress(owners[0])]);
    expect(await page.getByTestId("safe-message-hash").textContent()).toBe(request.safeMessageHash);

    await importSignedBy(request, nonOwner, "non-owner");
    await expect.poll(() => page.getByTestId("safe-notice").textContent()).toContain(`${getAddress(nonOwner)} is not an owner of the Safe ${safe}`);
    expect(await progress()).toBe("1 of 2 signatures; 1 missing.");
    await shot("safe-02-non-owner-refused");

    await importSignedBy(request, owners[2], "owner-3");
    await expect.poll(progress).toBe("2 of 2 signatures: the threshold is met.");
    expect(await page.getByRole("radio", { name: "Let the API pay" }).isChecked()).toBe(true);
    await shot("safe-03-threshold-met");
    await page.getByTestId("safe-submit").click();
    const done = page.getByTestId("safe-signing").getByTestId("tx-confirmed");
    await done.waitFor({ timeout: 30_000 });
    expect(getAddress((await done.getAttribute("data-paid-by"))!)).toBe(getAddress(relayer));
    expect(await done.textContent()).toContain("is registered as version 1 of “treasury bot”");
    await shot("safe-04-registered");
    expect(await getKey(keyId)).toMatchObject({ owner: safe, state: 1, version: 1 });
  });

  it("rotates the Safe's key to v2: the key is bound to the Safe, two owners sign, the API pays", step, async () => {
    await go("rotate");
    await chooseSafe();
    await page.getByLabel("Current version").waitFor();
    expect(await page.getByLabel("Current version").inputValue()).toBe(keyId);
    await page.getByRole("button", { name: "Generate key pair" }).click();
    await page.getByTestId("generated-key").waitFor();
    const [saved] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "save it unencrypted" }).click()]);
    const next = JSON.parse(readFileSync((await saved.path())!, "utf8")) as KeyFile;
    expect(isAddressEqual(next.keyId.slice(0, 42) as Address, safe)).toBe(true);
    await page.getByRole("button", { name: "Prepare the Safe's signing request" }).click();
    await page.getByTestId("safe-signing").waitFor();
    await page.getByRole("button", { name: "Sign with my wallet" }).click();
    await expect.poll(progress).toBe("1 of 2 signatures; 1 missing.");
    const request = await exportRequest();
    expect(request).toMatchObject({ nonce: "1", operation: { operation: "rotate", oldKeyId: keyId } });
    await importSignedBy(request, owners[1], "rotate-owner-2");
    await expect.poll(progress).toBe("2 of 2 signatures: the threshold is met.");
    await page.getByTestId("safe-submit").click();
    const done = page.getByTestId("safe-signing").getByTestId("tx-confirmed");
    await done.waitFor({ timeout: 30_000 });
    expect(getAddress((await done.getAttribute("data-paid-by"))!)).toBe(getAddress(relayer));
    await shot("safe-04b-rotated");
    expect(await getKey(next.keyId)).toMatchObject({ owner: safe, state: 1, version: 2 });
    nextKeyId = next.keyId;
    expect(await getKey(keyId)).toMatchObject({ rotated: true });
  });

  it("revokes the Safe's key: signed by two owners, sent from the connected wallet", step, async () => {
    const request = await prepareRevocation(/treasury bot v1/, "treasury bot retired");
    expect(request).toMatchObject({ nonce: "2", operation: { operation: "revoke", keyId, reason: "treasury bot retired" } });
    await importSignedBy(request, owners[1], "owner-2");
    await expect.poll(progress).toBe("2 of 2 signatures: the threshold is met.");
    await page.getByRole("radio", { name: "Send from my wallet" }).check();
    await page.getByTestId("safe-submit").click();
    const done = page.getByTestId("safe-signing").getByTestId("tx-confirmed");
    await done.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("revoked-keys").textContent()).toContain("Revoked treasury bot v1");
    await shot("safe-05-revoked");
    expect((await getKey(keyId)).state).toBe(3);
    // Sent by the connected owner's wallet, on behalf of the Safe: KeyRevoked names the Safe.
    const { publicClient } = localClients(node.rpcUrl);
    const hash = (await done.locator("code").first().getAttribute("title")) as Hex;
    const receipt = await publicClient.getTransactionReceipt({ hash });
    expect(getAddress(receipt.from)).toBe(getAddress(owners[0]));
    const [revoked] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRevoked" });
    expect(getAddress(revoked!.args.by)).toBe(safe);
    expect(problems).toEqual([]);
  });

  it("a second owner opens the exported request on #/safe, signs it in the page with their own wallet and submits it", step, async () => {
    const request = await prepareRevocation(/treasury bot v2/, "rotation abandoned");
    const path = join(files, "for-owner-3.json");
    writeFileSync(path, JSON.stringify(request));

    // Owner #4 (the Safe's third owner) on their own session of the dApp.
    await page.getByTestId("dev-account-select").selectOption("4");
    await expect.poll(() => page.getByTestId("dev-account-select").inputValue()).toBe("4");
    await go("safe");
    expect(await page.title()).toBe("Sign for a Safe · KeyLedger");
    await shot("safe-06-open-request");
    await page.getByLabel("Signing request file").setInputFiles(path);
    await page.getByTestId("safe-signing").waitFor();
    expect(await page.getByTestId("safe-message-hash").textContent()).toBe(request.safeMessageHash);
    expect(await page.getByTestId("safe-signing").textContent()).toContain(`revoke ${nextKeyId}, reason “rotation abandoned”`);
    await page.getByRole("button", { name: "Sign with my wallet" }).click();
    await expect.poll(progress).toBe("2 of 2 signatures: the threshold is met.");
    await shot("safe-07-cosigned");
    await page.getByTestId("safe-submit").click();
    await page.getByTestId("safe-signing").getByTestId("tx-confirmed").waitFor({ timeout: 30_000 });
    expect((await getKey(nextKeyId)).state).toBe(3);
    expect(problems).toEqual([]);
  });

  it("the Safe appoints a rotator from its owner view (#/owner/<safe>, \"Manage as a Safe owner\"): two owners sign, the API pays, the chain and the indexer show it", step, async () => {
    const rotator = getAddress(devAccounts[6]);
    await go(`owner/${safe}`);
    const panel = page.getByTestId("owner-rotator");
    await page.getByTestId("rotator-none").waitFor();
    await page.getByRole("button", { name: "Manage as a Safe owner…" }).click();
    // Connected: #4, the Safe's third owner.
    await expect.poll(() => panel.getByTestId("safe-info").textContent()).toContain("2 of 3 owners must sign. Your wallet is one of them.");
    await panel.getByLabel("Rotator address").fill(rotator);
    await page.getByTestId("safe-set-rotator").click();
    await page.getByTestId("safe-signing").waitFor();
    expect(await page.getByTestId("safe-signing").textContent()).toContain(`appoint ${rotator} as rotator`);
    await page.getByRole("button", { name: "Sign with my wallet" }).click();
    await expect.poll(progress).toBe("1 of 2 signatures; 1 missing.");
    const request = await exportRequest();
    expect(request).toMatchObject({ safe, nonce: "4", operation: { operation: "setRotator", rotator } });
    await importSignedBy(request, owners[1], "rotator-owner-2");
    await expect.poll(progress).toBe("2 of 2 signatures: the threshold is met.");
    await shot("safe-08-rotator-request");
    await page.getByTestId("safe-submit").click();
    const done = page.getByTestId("safe-signing").getByTestId("tx-confirmed");
    await done.waitFor({ timeout: 30_000 });
    expect(getAddress((await done.getAttribute("data-paid-by"))!)).toBe(getAddress(relayer));
    expect(await page.getByTestId("safe-rotator-done").textContent()).toContain(rotator);
    const onChain = await localClients(node.rpcUrl).publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "rotatorOf", args: [safe] });
    expect(getAddress(onChain)).toBe(rotator);
    // The indexer's view, as the panel shows it.
    await expect.poll(() => panel.getAttribute("data-rotator")).toBe(rotator);
    expect(await page.getByTestId("rotator-current").textContent()).toContain(`${rotator} may rotate and revoke this owner's keys`);
    await shot("safe-09-rotator-appointed");
    expect(problems).toEqual([]);
  });
});
