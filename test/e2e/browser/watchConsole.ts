import type { Page } from "playwright-core";

/** Collects console errors, uncaught exceptions and CSP violations of a page. */
export function watchConsole(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  return { problems };
}
