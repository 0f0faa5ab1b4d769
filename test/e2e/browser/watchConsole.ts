import type { Page } from "playwright-core";

export type WatchConsoleParameters = {
  /**
   * Requests whose 4xx answer is the point (Try it's refused test requests):
   * Chromium logs every non-2xx fetch as "Failed to load resource", which is not
   * a problem of the page when the refusal is what is being shown.
   */
  expectedRefusals?: ((url: string) => boolean) | undefined;
};

/** Collects console errors, uncaught exceptions and CSP violations of a page. */
export function watchConsole(page: Page, { expectedRefusals }: WatchConsoleParameters = {}): { problems: string[] } {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const refusal = /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(message.text());
    if (refusal && expectedRefusals?.(message.location().url)) return;
    problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  return { problems };
}
