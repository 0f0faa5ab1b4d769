// Governance on the indexer in a real Chromium on a real stack: a hardhat node, the
// real Ponder indexer (PGlite) and the real dApp server proxying it as /indexer.
// Proposals and votes are sent straight to the node (no wallet in the page); the
// list and the proposal page show them from the indexer's proposals, actions and
// votes tables: two votes with reasons, the second within 2 s of its block; the
// state filters and the search narrow the list.
import type { Page } from "playwright-core";
import { encodeFunctionData, type Hex, keccak256, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../src/generated/abis.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, increaseTime } from "../helpers/localNode.ts";
import { type OwnerViewStack, startOwnerViewStack } from "../helpers/ownerViewStack.ts";
import { chromiumPath, hasChromium, launchBrowser, type LaunchBrowserReturnType } from "./browser/launchBrowser.ts";
import { watchConsole } from "./browser/watchConsole.ts";

process.env.PONDER_TELEMETRY_DISABLED = "true";
if (!hasChromium()) console.warn(`governance indexer e2e skipped: no Chromium at ${chromiumPath}`);

const proposer = devAccounts[1];
const kept = { title: "Appoint guardian eight", description: "# Appoint guardian eight\n\nA second pair of hands for incidents.", guardian: devAccounts[8] };
const dropped = { title: "Appoint guardian seven", description: "# Appoint guardian seven\n\nBackup for the weekend rota.", guardian: devAccounts[7] };

describe.skipIf(!hasChromium())("governance on the indexer, in a real browser", () => {
  let stack: OwnerViewStack;
  let browser: LaunchBrowserReturnType;
  let page: Page;
  let problems: string[];
  let keptId: bigint;
  let droppedId: bigint;

  const clients = () => localClients(stack.node.rpcUrl);
  const governor = () => ({ address: stack.node.manifest.contracts.KeyLedgerGovernor.address, abi: keyLedgerGovernorAbi }) as const;
  const send = async (hash: Promise<Hex>) => {
    const receipt = await clients().publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`reverted: ${receipt.transactionHash}`);
    return receipt;
  };
  const propose = async ({ description, guardian }: { description: string; guardian: `0x${string}` }) => {
    const args = [
      [stack.node.manifest.contracts.KeyRegistry.address],
      [0n],
      [encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [guardian, true] })],
      description,
    ] as const;
    await send(clients().walletClient.writeContract({ ...governor(), account: proposer, chain: null, functionName: "propose", args }));
    return clients().publicClient.readContract({ ...governor(), functionName: "hashProposal", args: [args[0], args[1], args[2], keccak256(stringToHex(description))] });
  };
  const vote = (voter: `0x${string}`, support: 0 | 1 | 2, reason: string) =>
    send(clients().walletClient.writeContract({ ...governor(), account: voter, chain: null, functionName: "castVoteWithReason", args: [keptId, support, reason] }));
  const titles = () => page.getByTestId("proposal-link").allTextContents();

  beforeAll(async () => {
    stack = await startOwnerViewStack({ otherKeys: 0, ownerKeys: 0 });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    problems = watchConsole(page).problems;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("lists a new proposal from the indexer, with its action", { timeout: 60_000 }, async () => {
    await page.goto(`${stack.web.url}#/governance`);
    await page.getByText("No proposals yet.").waitFor();
    keptId = await propose(kept);
    droppedId = await propose(dropped);
    // The dropped one is cancelled by its proposer while pending.
    await send(clients().walletClient.writeContract({ ...governor(), account: proposer, chain: null, functionName: "cancel", args: [droppedId] }));

    await expect.poll(titles, { timeout: 10_000 }).toEqual([dropped.title, kept.title]);
    const card = page.locator(`[data-testid="proposal"]:has(a[href="#/proposal/${keptId}"])`);
    // Pending, or Active once the dev chain's one-block voting delay has passed (blocks keep coming).
    expect(["Pending", "Active"]).toContain(await card.getAttribute("data-state"));
    expect(await card.textContent()).toContain(`Appoint guardian ${kept.guardian}`);
    // The cancellation reaches the list with the indexer's next block (polled each second).
    await expect.poll(() => page.locator(`[data-testid="proposal"]:has(a[href="#/proposal/${droppedId}"])`).getAttribute("data-state"), { timeout: 10_000 }).toBe("Canceled");
    await expect
      .poll(() => page.locator(`[data-testid="proposal"]:has(a[href="#/proposal/${droppedId}"]) [data-testid="proposal-blocks"]`).textContent(), { timeout: 10_000 })
      .toMatch(/created \d+ · cancelled \d+ · 0 votes/);
  });

  it("shows two votes with reasons on the proposal page from the indexer, the second within 2 s of its block", { timeout: 60_000 }, async () => {
    const { publicClient } = clients();
    const start = await publicClient.readContract({ ...governor(), functionName: "proposalSnapshot", args: [keptId] });
    const now = (await publicClient.getBlock()).timestamp;
    await increaseTime(stack.node.rpcUrl, Number(start - now) + 1);

    await page.getByTestId("proposal-link").filter({ hasText: kept.title }).click();
    await page.waitForURL(new RegExp(`#/proposal/${keptId}$`));
    const card = page.getByTestId("proposal");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: 10_000 }).toBe("Active");
    await page.getByTestId("no-votes").waitFor();

    const first = await vote(devAccounts[0], 1, "e2e: guardians need a deputy");
    await expect.poll(() => page.getByTestId("voter").count(), { timeout: 10_000 }).toBe(1);
    const second = await vote(devAccounts[2], 0, "e2e: one guardian is enough");
    const mined = performance.now();
    await page.locator(`[data-testid="voter"][data-voter="${devAccounts[2]}"]`).waitFor({ timeout: 10_000 });
    const ms = performance.now() - mined;
    console.log(`second vote on the proposal page ${ms.toFixed(0)} ms after its block`);
    expect(ms).toBeLessThan(2_000);

    const rows = page.getByTestId("voter");
    expect(await rows.count()).toBe(2);
    const [a, b] = (await rows.allTextContents()) as [string, string];
    expect(a).toContain("For");
    expect(a).toContain("200,000");
    expect(a).toContain("e2e: guardians need a deputy");
    expect(a).toContain(String(first.blockNumber));
    expect(b).toContain("Against");
    expect(b).toContain("e2e: one guardian is enough");
    expect(b).toContain(String(second.blockNumber));
    expect(b).toContain(second.transactionHash.slice(0, 6));
    // The tallies are the indexer's: one for, one against.
    await expect.poll(() => card.getByTestId("proposal-blocks").textContent()).toMatch(/2 votes/);
    expect(await card.locator(".tally-row.for .tally-value").textContent()).toBe("200,000");
    expect(await card.locator(".tally-row.against .tally-value").textContent()).toBe("200,000");
  });

  it("filters the list by state and searches title and description", { timeout: 30_000 }, async () => {
    await page.getByRole("link", { name: "← All proposals" }).click();
    await expect.poll(titles).toEqual([dropped.title, kept.title]);

    await page.getByTestId("proposal-filter-active").click();
    await expect.poll(titles).toEqual([kept.title]);
    await page.getByTestId("proposal-filter-cancelled").click();
    await expect.poll(titles).toEqual([dropped.title]);
    await page.getByTestId("proposal-filter-executed").click();
    await expect.poll(titles).toEqual([]);
    expect(await page.getByTestId("no-matching-proposals").textContent()).toContain("in executed");
    expect(await page.getByTestId("proposal-filter-active").textContent()).toBe("Active (1)");

    await page.getByTestId("proposal-filter-all").click();
    await page.getByTestId("proposal-search").fill("weekend rota");
    await expect.poll(titles).toEqual([dropped.title]);
    await page.getByTestId("proposal-search").fill("EIGHT");
    await expect.poll(titles).toEqual([kept.title]);
    await page.getByTestId("proposal-search").fill("pair of hands");
    await page.getByTestId("proposal-filter-cancelled").click();
    await expect.poll(titles).toEqual([]);
    await page.getByTestId("proposal-search").fill("");
    await expect.poll(titles).toEqual([dropped.title]);
    expect(problems.filter((p) => !/Failed to load resource|ERR_CONNECTION|50[234]/.test(p))).toEqual([]);
  });
});
