import { nodeService } from "../nodeService.ts";

/** The dApp (web/main.ts): the production bundle, built first when missing or stale. */
export const webService = nodeService({
  name: "dApp",
  script: "web/main.ts",
  defaultPort: 5173,
  portEnv: "KEYLEDGER_WEB_PORT",
  log: "web.log",
  // A first start builds the bundle, which takes a while on a small machine.
  readyTimeoutMs: 300_000,
  nextSteps: (url) => [`Open ${url} and connect the "Local dev account" (no wallet extension needed).`],
});
