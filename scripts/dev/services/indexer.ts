import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { choosePort, PortInUseError } from "../choosePort.ts";
import { startIndexer } from "../startIndexer.ts";
import type { DevService } from "../types.ts";

const portEnv = "KEYLEDGER_INDEXER_PORT";

/**
 * The Ponder indexer over the fresh deployment: embedded PGlite under the state
 * directory (wiped at start, since `npm start` deploys a new chain), or Postgres
 * when DATABASE_URL is set. Later services get KEYLEDGER_INDEXER_URL.
 */
export const indexerService: DevService = {
  name: "indexer",
  async start(context) {
    const { rpcUrl, manifestPath } = context;
    if (!rpcUrl || !manifestPath) throw new Error("the indexer needs a deployment: start the node and deploy services first.");
    const wanted = process.env[portEnv];
    const port = await choosePort({
      port: wanted === undefined ? 42069 : Number(wanted),
      explicit: wanted !== undefined,
      name: "indexer",
      envVar: portEnv,
      say: context.say,
      busy: (busyPort) => new PortInUseError({ port: busyPort, envVar: portEnv }),
    });
    const pgliteDirectory = join(context.stateDir, "indexer", "pglite");
    if (!process.env.DATABASE_URL) rmSync(pgliteDirectory, { recursive: true, force: true });
    const logFile = join(context.stateDir, "indexer.log");
    context.say(`Starting the indexer (${process.env.DATABASE_URL ? "Postgres" : "PGlite"}; log in ${relative(process.cwd(), logFile) || logFile})...`);
    const indexer = await startIndexer({
      root: context.root,
      rpcUrl,
      manifestPath,
      port,
      databaseUrl: process.env.DATABASE_URL,
      databaseSchema: process.env.DATABASE_SCHEMA,
      pgliteDirectory,
      stateDir: context.stateDir,
      logFile,
      env: { ...process.env, ...context.env },
    });
    context.env.KEYLEDGER_INDEXER_URL = indexer.url;
    return {
      url: indexer.url,
      exited: indexer.exited,
      stop: indexer.stop,
      nextSteps: [`Indexer: SQL over HTTP ${indexer.url}/sql (@ponder/client), GraphQL ${indexer.url}/graphql, head ${indexer.url}/status`],
    };
  },
};
