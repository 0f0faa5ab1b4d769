import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root,
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts", "web/src/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's default 1 s is shorter than one of the dApp's indexer polls (every 1 s)
    // plus a page render on a loaded 2-core machine; a poll that never succeeds still fails.
    expect: { poll: { timeout: 10_000 } },
  },
});
