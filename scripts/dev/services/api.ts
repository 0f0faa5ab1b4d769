import { nodeService } from "../nodeService.ts";

/** The reference API (src/server/main.ts), verifying requests against the fresh deployment. */
export const apiService = nodeService({
  name: "reference API",
  script: "src/server/main.ts",
  defaultPort: 8787,
  portEnv: "KEYLEDGER_API_PORT",
  log: "api.log",
  urlEnv: "KEYLEDGER_API_URL",
  nextSteps: (url) => [
    `Signed request: npm run keyledger -- request ${url}/v1/prices --key <key file>`,
    `Metrics (requests per key and version, last use): ${url}/metrics`,
  ],
});
