import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { createServer, preview } from "vite";
import { createViteConfig, webRoot } from "./viteConfig.ts";

export type StartWebServerParameters = {
  /** Deployment manifest to serve (`deployments/<chainId>.json`). */
  manifestPath: string;
  /** JSON-RPC endpoint of the chain the manifest describes. */
  rpcUrl: string;
  /** Reference API base URL; its `/metrics` and verify endpoints are proxied under `/api`. */
  apiUrl?: string | undefined;
  /** The public origin the API verifies signatures for, when it runs with `--origin` (the page signs its test requests for it). */
  apiOrigin?: string | undefined;
  /** Ponder indexer base URL; proxied under `/indexer`. */
  indexerUrl?: string | undefined;
  /** Defaults to 0 (a free port). */
  port?: number | undefined;
  /** Defaults to 127.0.0.1. */
  host?: string | undefined;
  /**
   * `"preview"` (default) serves the production bundle, building it first when it
   * is missing or older than its sources; `"dev"` runs Vite's dev server with HMR.
   */
  mode?: "preview" | "dev" | undefined;
};

export type StartWebServerReturnType = {
  /** Base URL of the dApp, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  close(): Promise<void>;
};

/** Serves the dApp for one deployment; what `npm start` and the browser test run. */
export async function startWebServer({
  manifestPath,
  rpcUrl,
  apiUrl,
  apiOrigin,
  indexerUrl,
  port = 0,
  host = "127.0.0.1",
  mode = "preview",
}: StartWebServerParameters): Promise<StartWebServerReturnType> {
  const nonce = mode === "dev" ? randomBytes(16).toString("base64") : undefined;
  const config = { ...createViteConfig({ manifestPath, rpcUrl, apiUrl, apiOrigin, indexerUrl, nonce }), configFile: false as const, logLevel: "warn" as const };
  if (mode === "dev") {
    const server = await createServer({ ...config, server: { ...config.server, host, port, strictPort: port !== 0 } });
    await server.listen();
    return { url: urlOf(server.httpServer?.address(), host), close: () => server.close() };
  }
  if (isBuildStale()) await withBuildLock(async () => (isBuildStale() ? buildBundle() : undefined));
  const server = await preview({ ...config, preview: { host, port, strictPort: port !== 0 } });
  return {
    url: urlOf(server.httpServer.address(), host),
    close: () => server.close(),
  };
}

/**
 * `vite build` in a child process: a build must see NODE_ENV=production (React's
 * JSX and runtime pick their production forms from it), whatever the caller's
 * process says (vitest sets "test").
 */
async function buildBundle(): Promise<void> {
  const pkg = createRequire(import.meta.url).resolve("vite/package.json");
  const vite = join(dirname(pkg), "bin/vite.js");
  const child = spawn(process.execPath, [vite, "build", "--config", join(webRoot, "vite.config.ts"), "--logLevel", "warn"], {
    cwd: join(webRoot, ".."),
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`Building the dApp failed (vite build exited with ${code}).`);
}

/**
 * Test files run in parallel processes and may all find the bundle stale: one
 * builds while the others wait, then find it fresh.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `keyledger-web-build-${createHash("sha256").update(webRoot).digest("hex").slice(0, 16)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      let holder: number;
      try {
        holder = Number(readFileSync(lock, "utf8"));
      } catch {
        continue; // released meanwhile
      }
      // An empty file is a lock being taken right now, not a dead one.
      if (holder > 0 && !isAlive(holder)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for another build of the dApp (process ${holder}).`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function urlOf(address: string | AddressInfo | null | undefined, host: string): string {
  if (!address || typeof address === "string") throw new Error("The dApp server is not listening on a TCP port.");
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/`;
}

// Everything the bundle is built from (the page imports these parts of the library).
const sources = ["index.html", "src", "public", "viteConfig.ts", "../src/chain", "../src/keys", "../src/signer", "../src/profile", "../src/errors", "../src/generated", "../src/verifier/reasons.ts"];

function isBuildStale(): boolean {
  const built = join(webRoot, "dist/index.html");
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((source) => newestMtime(join(webRoot, source)) > builtAt);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}
