// CLI of scripts/deploy/deploy.ts: `node scripts/deploy.ts --help`.
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { contractNames } from "../src/chain/manifest.ts";
import { BaseError } from "../src/errors/BaseError.ts";
import { deploy } from "./deploy/index.ts";
import { parameterOptionsHelp, parametersFromOptions, parseScriptArgs } from "./deploy/options.ts";

const help = `Usage: node scripts/deploy.ts [options]

Deploys KeyLedgerToken, KeyLedgerTimelock, KeyLedgerGovernor and KeyRegistry and
writes the deployment manifest. Running it again against the same chain reuses the
deployment as long as it still exists there with the same code and parameters.

Options:
  --rpc <url>                     JSON-RPC endpoint (env KEYLEDGER_RPC_URL; default http://127.0.0.1:8545)
  --manifest <path>               manifest file (env KEYLEDGER_MANIFEST; default deployments/<chainId>.json)
  --chain-id <id>                 refuse to deploy unless the node reports this chain id
  --account-index <n>             unlocked node account that deploys (default 0)
  --force                         deploy afresh even when the manifest's deployment is usable
  --single-holder                 on a non-local chain, accept one account holding every vote (the
                                  deployer unless --holders/--distribution names another); it alone
                                  controls the DAO. Without it a non-local deployment needs
                                  --holders or --distribution with at least two holders.
  --json                          print the manifest summary as JSON
  -h, --help                      show this help

Deployment parameters (each also read from env KEYLEDGER_<NAME>, e.g. KEYLEDGER_VOTING_PERIOD;
durations in seconds or with a unit: 90s, 5m, 12h, 30d, 1w; lists comma-separated):
${parameterOptionsHelp()}

Deployer: on the local chain, the node's unlocked account. Elsewhere, put the
deployer's private key in the environment variable KEYLEDGER_DEPLOYER_KEY; it is
never accepted as a flag (argv is visible to every user of the machine).
`;

async function main(): Promise<number> {
  const values = parseScriptArgs({
    options: {
      rpc: { type: "string" },
      manifest: { type: "string" },
      "chain-id": { type: "string" },
      "account-index": { type: "string" },
      force: { type: "boolean" },
      "single-holder": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    help,
  });
  if (typeof values === "number") return values;
  const rpcUrl = str(values.rpc) ?? process.env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545";
  const key = process.env.KEYLEDGER_DEPLOYER_KEY;
  if (key !== undefined && !(isHex(key) && key.length === 66)) {
    console.error("KEYLEDGER_DEPLOYER_KEY must be a 32-byte private key in 0x-prefixed hex.");
    return 2;
  }
  const chainId = str(values["chain-id"]);
  const accountIndex = str(values["account-index"]);
  for (const [flag, value] of [["--chain-id", chainId], ["--account-index", accountIndex]] as const) {
    if (value !== undefined && !/^\d+$/.test(value)) {
      console.error(`${flag} must be a non-negative integer, got "${value}".`);
      return 2;
    }
  }

  let params: ReturnType<typeof parametersFromOptions>;
  try {
    params = parametersFromOptions({ values, env: process.env });
    if (values["single-holder"] === true) params.singleHolder = true;
  } catch (error) {
    console.error(`Error: ${(error as Error).message}`);
    return 2;
  }
  const json = values.json === true;
  const manifestPath = str(values.manifest) ?? process.env.KEYLEDGER_MANIFEST;
  const manifest = await deploy({
    rpcUrl,
    manifestPath,
    deployer: key ? privateKeyToAccount(key) : undefined,
    accountIndex: accountIndex === undefined ? undefined : Number(accountIndex),
    expectedChainId: chainId === undefined ? undefined : Number(chainId),
    force: values.force === true,
    params,
    // Progress goes to stderr so that --json output stays parseable.
    log: (line) => console.error(line),
  });
  const addresses = Object.fromEntries(contractNames.map((name) => [name, manifest.contracts[name].address]));
  if (json) {
    const { contracts: _, ...rest } = manifest;
    console.log(JSON.stringify({ ...rest, contracts: addresses }, null, 2));
    return 0;
  }
  const root = fileURLToPath(new URL("..", import.meta.url));
  const written = resolve(manifestPath ?? join(root, "deployments", `${manifest.chainId}.json`));
  console.log(`\nKeyLedger deployment on chain ${manifest.chainId} (block ${manifest.deploymentBlock}, ${rpcUrl})`);
  for (const name of contractNames) console.log(`  ${name.padEnd(18)} ${manifest.contracts[name].address}`);
  const { governance: g, policy: p } = manifest;
  console.log(
    `  DAO: voting delay ${g.votingDelay}s, voting period ${g.votingPeriod}s, quorum ${g.quorumPercent}%, timelock ${g.timelockDelay}s`,
  );
  console.log(`  Policy: max lifetime ${p.maxLifetime}s, max overlap ${p.maxOverlap}s, scopes ${manifest.scopes.join(", ") || "none"}`);
  console.log(`  Guardians: ${manifest.guardians.join(", ") || "none"}`);
  console.log(`  Manifest: ${relative(process.cwd(), written) || written}`);
  return 0;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Expected failures (node down, not compiled, bad parameters) get their message, not a stack trace.
    console.error(error instanceof BaseError ? `Error: ${error.message}` : error);
    process.exit(1);
  },
);
