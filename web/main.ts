// `node web/main.ts [--port n] [--manifest path] [--rpc url] [--api url] [--dev]`:
// serves the dApp for one deployment and prints its URL on a line of its own.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startWebServer } from "./server.ts";
import { webRoot } from "./viteConfig.ts";

const help = `Usage: node web/main.ts [options]

Serves the KeyLedger dApp (the production bundle, built first when missing or
stale) for the deployment in the manifest, on 127.0.0.1.

Options:
  --port <n>        port (env KEYLEDGER_WEB_PORT; default 0 = any free port)
  --manifest <path> deployment manifest (env KEYLEDGER_MANIFEST; default deployments/31337.json)
  --rpc <url>       JSON-RPC endpoint (env KEYLEDGER_RPC_URL; default http://127.0.0.1:8545)
  --api <url>       reference API, proxied as /api (env KEYLEDGER_API_URL; optional)
  --api-origin <url> public origin the API verifies signatures for, if it runs with --origin
                    (env KEYLEDGER_API_ORIGIN, as the API reads it; default the --api origin)
  --indexer <url>   Ponder indexer, proxied as /indexer (env KEYLEDGER_INDEXER_URL; optional)
  --dev             Vite's dev server with hot reload instead of the bundle
  -h, --help        show this help
`;

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    manifest: { type: "string" },
    rpc: { type: "string" },
    api: { type: "string" },
    "api-origin": { type: "string" },
    indexer: { type: "string" },
    dev: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(help);
  process.exit(0);
}
const portText = values.port ?? process.env.KEYLEDGER_WEB_PORT ?? "0";
if (!/^\d+$/.test(portText) || Number(portText) > 65_535) {
  console.error(`The port must be 0..65535, got "${portText}".`);
  process.exit(2);
}
const server = await startWebServer({
  port: Number(portText),
  manifestPath: resolve(values.manifest ?? process.env.KEYLEDGER_MANIFEST ?? resolve(webRoot, "../deployments/31337.json")),
  rpcUrl: values.rpc ?? process.env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545",
  apiUrl: values.api ?? process.env.KEYLEDGER_API_URL,
  apiOrigin: values["api-origin"] ?? (process.env.KEYLEDGER_API_ORIGIN || undefined),
  indexerUrl: values.indexer ?? process.env.KEYLEDGER_INDEXER_URL,
  mode: values.dev ? "dev" : "preview",
});
console.log(server.url);
const stop = () => void server.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
