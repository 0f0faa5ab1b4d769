import type { Page } from "playwright-core";

export type OwnerViewLoad = {
  /** Bytes received over the wire (CDP encodedDataLength: compressed bodies plus headers), every request. */
  transferredBytes: number;
  /** Of which scripts. */
  scriptBytes: number;
  requests: number;
  /** From navigation start to every expected key row shown. */
  ms: number;
  byType: Record<string, number>;
};

/**
 * Opens `#/owner/<owner>` in `page` (a fresh profile: nothing cached) and waits for
 * `expectKeys` key rows; counts what crossed the wire until then with CDP Network
 * events.
 */
export async function measureOwnerView(page: Page, { url, owner, expectKeys }: { url: string; owner: string; expectKeys: number }): Promise<OwnerViewLoad> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const types = new Map<string, string>();
  const byType: Record<string, number> = {};
  let transferredBytes = 0;
  let requests = 0;
  cdp.on("Network.responseReceived", (event) => void types.set(event.requestId, event.type));
  cdp.on("Network.loadingFinished", (event) => {
    const type = types.get(event.requestId) ?? "Other";
    byType[type] = (byType[type] ?? 0) + event.encodedDataLength;
    transferredBytes += event.encodedDataLength;
    requests++;
  });
  const started = performance.now();
  await page.goto(`${url}#/owner/${owner}`);
  await page.locator('[data-testid="key-row"]').nth(expectKeys - 1).waitFor({ timeout: 30_000 });
  const ms = performance.now() - started;
  await cdp.detach();
  return { transferredBytes, scriptBytes: byType.Script ?? 0, requests, ms, byType };
}
