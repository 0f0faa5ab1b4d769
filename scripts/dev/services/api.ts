import { nodeService } from "../nodeService.ts";

/**
 * The reference API (src/server/main.ts), verifying requests against the fresh deployment,
 * key windows by the chain's clock, with the relayer (POST /v1/relay) on: dev account 10,
 * which nothing else in the stack sends from, submits and pays for signed operations.
 */
export const apiService = nodeService({
  name: "reference API",
  script: "src/server/main.ts",
  defaultPort: 8787,
  portEnv: "KEYLEDGER_API_PORT",
  log: "api.log",
  urlEnv: "KEYLEDGER_API_URL",
  // The dev chain is moved ahead by time travel (the dApp's "+1 d", evm_increaseTime):
  // key windows are judged by the chain's clock, as the registry judges them.
  args: ["--clock", "chain", "--relay", "--relayer-dev-account", "10"],
  nextSteps: (url) => [
    `Signed request: npm run keyledger -- request ${url}/v1/prices --key <key file>`,
    `Metrics (requests per key and version, last use): ${url}/metrics`,
    `Gasless (a wallet without ETH; the relayer pays): npm run keyledger -- register --key <key file> --scopes read --relay ${url}`,
  ],
});
