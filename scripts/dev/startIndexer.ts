import { createServer } from "node:net";
import { join } from "node:path";
import { BaseError } from "../../src/errors/BaseError.ts";
import { exitWithParentFlags, startChildProcess } from "./startChildProcess.ts";

export type StartIndexerParameters = {
  /** Repository root (the Ponder app is `<root>/indexer`). */
  root: string;
  rpcUrl: string;
  manifestPath: string;
  /** Port on 127.0.0.1; 0 (default) = a free one. */
  port?: number | undefined;
  /** Postgres connection string; default: embedded PGlite under `stateDir`. */
  databaseUrl?: string | undefined;
  /** Postgres schema for this instance (Ponder requires one per instance). Default "keyledger". */
  databaseSchema?: string | undefined;
  /** PGlite directory; default `<stateDir>/indexer/<chain id>-<deployment block hash>`. */
  pgliteDirectory?: string | undefined;
  stateDir?: string | undefined;
  /** Ponder's output goes here. */
  logFile?: string | undefined;
  /** How often Ponder polls the node for new blocks (ms, >= 100). Default 250. */
  pollingIntervalMs?: number | undefined;
  /** Resolve only once the backfill is done (`/ready` answers 200). Default true. */
  waitReady?: boolean | undefined;
  readyTimeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
};

export type StartIndexerReturnType = {
  /** Base URL: SQL over HTTP at `${url}/sql`, GraphQL at `${url}/graphql`, head at `${url}/status`. */
  url: string;
  port: number;
  pid: number;
  exited: Promise<number | string>;
  stop(): Promise<void>;
};

/**
 * Starts the Ponder indexer (`ponder start` on the `indexer/` app) on 127.0.0.1 and
 * resolves once its HTTP server is up (and, by default, its backfill is done).
 * Telemetry is always off.
 */
export async function startIndexer(parameters: StartIndexerParameters): Promise<StartIndexerReturnType> {
  const { root, rpcUrl, manifestPath, databaseUrl, logFile, waitReady = true, readyTimeoutMs = 120_000 } = parameters;
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 250;
  if (!Number.isInteger(pollingIntervalMs) || pollingIntervalMs < 100) {
    throw new IndexerStartError(`pollingIntervalMs must be an integer >= 100 (Ponder's minimum), got ${pollingIntervalMs}.`);
  }
  const schema = parameters.databaseSchema ?? "keyledger";
  if (!/^[a-z_][a-z0-9_]{0,44}$/.test(schema)) throw new IndexerStartError(`databaseSchema must be a lower-case SQL identifier of at most 45 characters, got "${schema}".`);
  const port = parameters.port || (await freePort());
  const ponderBin = join(root, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
  const env: NodeJS.ProcessEnv = {
    ...(parameters.env ?? process.env),
    PONDER_TELEMETRY_DISABLED: "true",
    KEYLEDGER_RPC_URL: rpcUrl,
    KEYLEDGER_MANIFEST: manifestPath,
    KEYLEDGER_INDEXER_POLL_MS: String(pollingIntervalMs),
    DATABASE_SCHEMA: schema,
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  if (parameters.stateDir) env.KEYLEDGER_STATE_DIR = parameters.stateDir;
  if (parameters.pgliteDirectory) env.KEYLEDGER_INDEXER_PGLITE = parameters.pgliteDirectory;
  const child = await startChildProcess({
    name: "indexer",
    command: process.execPath,
    args: [...exitWithParentFlags, ponderBin, "--root", join(root, "indexer"), "--log-format", "json", "start", "--port", String(port), "--hostname", "127.0.0.1", "--schema", schema],
    cwd: join(root, "indexer"),
    env,
    logFile,
    ready: /"msg":"Created HTTP server"/,
    readyTimeoutMs,
  });
  const url = `http://127.0.0.1:${port}`;
  if (waitReady) {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const ok = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) {
        await child.stop();
        throw new IndexerStartError(`The indexer did not finish its backfill within ${readyTimeoutMs} ms.`, { metaMessages: logFile ? [`See ${logFile}.`] : undefined });
      }
      const exited = await Promise.race([child.exited, new Promise((done) => setTimeout(() => done(undefined), 200))]);
      if (exited !== undefined) throw new IndexerStartError(`The indexer exited (${exited}) before it was ready.`, { metaMessages: logFile ? [`See ${logFile}.`] : undefined });
    }
  }
  return { url, port, pid: child.pid, exited: child.exited, stop: child.stop };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export class IndexerStartError extends BaseError {
  override name = "IndexerStartError";
}
