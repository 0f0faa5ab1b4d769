// `npm start`: the whole local stack in one command. `node scripts/dev.ts --help`.
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseError } from "../src/errors/BaseError.ts";
import { parameterOptionsHelp, parametersFromOptions, parseScriptArgs } from "./deploy/options.ts";
import { runDevStack } from "./dev/runDevStack.ts";
import { compileService } from "./dev/services/compile.ts";
import { deployService } from "./dev/services/deploy.ts";
import { apiService } from "./dev/services/api.ts";
import { webService } from "./dev/services/web.ts";
import { hardhatNodeService } from "./dev/services/hardhatNode.ts";
import { indexerService } from "./dev/services/indexer.ts";
import { devSummary, devSummaryJson } from "./dev/summary.ts";
import { devStackEnvLine, devStackFileName, removeDevStack, writeDevStack } from "../src/cli/devStack.ts";
import type { StartedService } from "./dev/runDevStack.ts";
import type { DevContext } from "./dev/types.ts";
import type { DevService } from "./dev/types.ts";

// Started in this order, stopped in reverse. Each later service reads what the
// earlier ones put into the context (RPC URL, manifest) and may add a URL and next steps.
const services: DevService[] = [compileService, hardhatNodeService, deployService, indexerService, apiService, webService];

const help = `Usage: npm start [-- options]   (or: node scripts/dev.ts [options])

Compiles the contracts, starts a Hardhat node on 127.0.0.1, deploys KeyLedger into
it, starts the indexer (Ponder; env KEYLEDGER_INDEXER_PORT, default 42069; PGlite
under .keyledger/, or Postgres when DATABASE_URL is set), the reference API (env
KEYLEDGER_API_PORT, default 8787) and the dApp (env KEYLEDGER_WEB_PORT, default 5173), and keeps running until Ctrl-C, which
stops everything it started.

Options:
  --port <n>                      node port (env KEYLEDGER_RPC_PORT; default 8545, 0 = any free port;
                                  a busy default port falls back to a free one, a chosen one fails)
  --manifest <path>               manifest file (env KEYLEDGER_MANIFEST; default deployments/31337.json)
  --no-compile                    use the existing artifacts
  --json                          print one JSON line when ready (progress goes to stderr)
  -h, --help                      show this help

Runtime output (the node's log) goes to .keyledger/ (env KEYLEDGER_STATE_DIR).

Deployment parameters (each also read from env KEYLEDGER_<NAME>):
${parameterOptionsHelp()}
`;

async function main(): Promise<number> {
  const values = parseScriptArgs({
    options: {
      port: { type: "string" },
      manifest: { type: "string" },
      "no-compile": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    help,
  });
  if (typeof values === "number") return values;
  const portText = typeof values.port === "string" ? values.port : process.env.KEYLEDGER_RPC_PORT || undefined;
  if (portText !== undefined && !(/^\d+$/.test(portText) && Number(portText) <= 65_535)) {
    console.error(`The port must be 0..65535, got "${portText}".`);
    return 2;
  }
  const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
  const stateDir = resolve(process.env.KEYLEDGER_STATE_DIR ?? join(root, ".keyledger"));
  mkdirSync(stateDir, { recursive: true });
  const json = values.json === true;
  const manifest = typeof values.manifest === "string" ? values.manifest : process.env.KEYLEDGER_MANIFEST || undefined;
  // Once everything runs: .keyledger/dev-stack.json tells the CLI where this stack is
  // (a busy default port moves the node off 8545), and the summary prints the env line.
  const stackFile = join(stateDir, devStackFileName);
  const summarize = async (context: DevContext, started: readonly StartedService[]) => {
    const url = (name: string) => started.find((s) => s.name === name)?.service.url;
    if (context.rpcUrl && context.manifestPath && context.chainId !== undefined) {
      const file = {
        version: 1 as const,
        pid: process.pid,
        rpcUrl: context.rpcUrl,
        chainId: context.chainId,
        manifestPath: resolve(context.manifestPath),
        apiUrl: url("reference API"),
        indexerUrl: context.env.KEYLEDGER_INDEXER_URL,
        webUrl: url("dApp"),
        startedAt: new Date().toISOString(),
      };
      writeDevStack(stackFile, file);
      const text = await (json ? devSummaryJson : devSummary)(context, started);
      if (json) return JSON.stringify({ ...JSON.parse(text), devStackFile: stackFile, env: devStackEnvLine(file) });
      const where = `The CLI (npm run keyledger) finds this stack through ${relative(process.cwd(), stackFile) || stackFile}. Other tools and shells:\n  ${devStackEnvLine(file)}`;
      return text.replace(/\n*Press Ctrl-C to stop\.$/, `\n\n${where}\n\nPress Ctrl-C to stop.`);
    }
    return (json ? devSummaryJson : devSummary)(context, started);
  };
  process.once("exit", () => removeDevStack(stackFile));
  return runDevStack({
    services,
    context: {
      root,
      stateDir,
      options: {
        compile: values["no-compile"] !== true,
        port: portText === undefined ? 8545 : Number(portText),
        portExplicit: portText !== undefined,
        manifestPath: manifest,
        params: parametersFromOptions({ values, env: process.env }),
      },
      env: {},
      say: json ? (line) => console.error(line) : (line) => console.log(line),
    },
    summary: summarize,
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof BaseError ? `Error: ${error.message}` : error);
    process.exit(1);
  },
);
