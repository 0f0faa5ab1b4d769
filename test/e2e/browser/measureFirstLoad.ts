import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";

export type FirstLoad = { scripts: { url: string; gzipBytes: number }[]; gzipBytes: number };

/**
 * Opens `url` and sums the gzipped size of every script the page loads until the
 * network is idle: what a first visit costs, lazily loaded page chunk included.
 */
export async function measureFirstLoad(page: Page, url: string): Promise<FirstLoad> {
  const bodies: Promise<{ url: string; gzipBytes: number }>[] = [];
  const onResponse = (response: import("playwright-core").Response) => {
    if (response.request().resourceType() !== "script") return;
    bodies.push(response.body().then((body) => ({ url: response.url(), gzipBytes: gzipSync(body).length })));
  };
  page.on("response", onResponse);
  await page.goto(url, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  const scripts = await Promise.all(bodies);
  return { scripts, gzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0) };
}
