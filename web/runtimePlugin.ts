import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Connect, Plugin, ProxyOptions } from "vite";
import { join } from "node:path";
import { compressedStatic, sendCompressed } from "./compression.ts";
import { contentSecurityPolicy } from "./contentSecurityPolicy.ts";

export type RuntimePluginParameters = {
  /** Deployment manifest served as `/deployment.json`, read on every request so a redeploy shows up. */
  manifestPath: string;
  /** JSON-RPC endpoint the page talks to directly (the CSP allows its origin). */
  rpcUrl: string;
  /** Reference API; proxied as `/api` so the page needs no CORS and the CSP stays `'self'`. */
  apiUrl?: string | undefined;
  /**
   * The public origin the API verifies signatures for (its `--origin`), when it has
   * one; otherwise the proxy's target, whose Host the proxy sends (`changeOrigin`).
   */
  apiOrigin?: string | undefined;
  /** The Ponder indexer (keys, history, proposals); proxied as `/indexer` like the API. */
  indexerUrl?: string | undefined;
  /** Only for the dev server: lets Vite's inline HMR preamble run. */
  nonce?: string | undefined;
};

/**
 * Serves what makes one bundle work on any chain: `/config.json` (RPC and API
 * locations) and `/deployment.json` (addresses, chain id, deployment block), plus
 * the security headers of every response.
 */
export function runtimePlugin({ manifestPath, rpcUrl, apiUrl, apiOrigin, indexerUrl, nonce }: RuntimePluginParameters): Plugin {
  const csp = contentSecurityPolicy({ connect: [new URL(rpcUrl).origin], nonce });
  const proxy: Record<string, ProxyOptions> = apiUrl
    ? { "/api/": { target: apiUrl, changeOrigin: true, rewrite: (path: string) => path.replace(/^\/api/, "") } }
    : {};
  if (indexerUrl) proxy["/indexer/"] = { target: indexerUrl, changeOrigin: true, rewrite: (path: string) => path.replace(/^\/indexer/, "") };
  const apiSigningUrl = apiUrl ? signingUrl(apiUrl, apiOrigin) : null;
  const middleware: Connect.NextHandleFunction = (req: IncomingMessage, res: ServerResponse, next) => {
    res.setHeader("Content-Security-Policy", csp);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (path === "/config.json") {
      void Promise.all([hasVerifyEndpoint(apiUrl), relays(apiUrl)]).then(([verifyRequest, relay]) =>
        sendJson(
          req,
          res,
          200,
          JSON.stringify({ rpcUrl, apiUrl: apiUrl ? "/api" : null, apiSigningUrl, indexerUrl: indexerUrl ? "/indexer" : null, manifestUrl: "deployment.json", verifyRequest, relay }),
        ),
      );
      return;
    }
    if (path === "/deployment.json") {
      // Passed through as is: the page validates it, and a half-written file must not crash the server.
      readFile(manifestPath, "utf8").then(
        (text) => sendJson(req, res, 200, text),
        () => sendJson(req, res, 404, JSON.stringify({ error: "no-deployment", message: `No deployment manifest at ${manifestPath}.` })),
      );
      return;
    }
    next();
  };
  return {
    name: "keyledger-runtime",
    config: () => ({ server: { proxy }, preview: { proxy }, html: nonce ? { cspNonce: nonce } : {} }),
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => {
      server.middlewares.use(middleware);
      // The built bundle, compressed (Vite's preview server sends it as is).
      const serveCompressed = compressedStatic({ root: join(server.config.root, server.config.build.outDir) });
      void serveCompressed.warm();
      server.middlewares.use((req, res, next) => void serveCompressed(req, res, next).catch(next));
    },
  };
}

/**
 * The URL a request to `/api/<path>` must be signed for: the signature covers
 * @authority and @path, and the API judges them as it receives them, i.e. after the
 * proxy has stripped `/api` and set Host to the target (or, with `--origin`, as that
 * origin). The page signs for this URL and sends the request to `/api`.
 */
function signingUrl(apiUrl: string, apiOrigin: string | undefined): string {
  const target = new URL(apiUrl);
  const base = apiOrigin ? new URL(apiOrigin).origin : target.origin;
  return `${base}${target.pathname}`.replace(/\/$/, "");
}

/**
 * Whether the reference API offers `POST /v1/verify-request` (a verdict for a
 * pasted raw request). Asked here so the page never calls a missing endpoint.
 */
async function hasVerifyEndpoint(apiUrl: string | undefined): Promise<boolean> {
  if (!apiUrl) return false;
  try {
    const response = await fetch(`${apiUrl}/v1/verify-request`, { method: "POST", body: "", signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status !== 404 && response.status !== 405;
  } catch {
    return false;
  }
}

/**
 * Whether the reference API relays signed registry operations (`POST /v1/relay`, on with
 * `--relay`; `npm start` turns it on). A GET costs nothing: a relaying API answers 405
 * (POST only), one that does not relay 404 `relay-disabled`, an older one 404 `not-found`.
 */
async function relays(apiUrl: string | undefined): Promise<boolean> {
  if (!apiUrl) return false;
  try {
    const response = await fetch(`${apiUrl}/v1/relay`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 405;
  } catch {
    return false;
  }
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  // The manifest carries the ABIs (~125 kB): compressed it is a fraction of that.
  void sendCompressed(req, res, body);
}
