import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseRawRequest, RawRequestError, rawRequestUrl } from "../http/parseRawRequest.ts";
import { BodyReadError, BodyTooLargeError, readRawBody, verifyNodeRequest } from "../verifier/adapters/node.ts";
import { verifierReasons } from "../verifier/reasons.ts";
import type { Verifier, VerifySuccess } from "../verifier/types.ts";
import type { ApiEvents } from "./createApiEvents.ts";
import { type ApiChainStatus, type ApiMetrics, createApiMetrics } from "./createApiMetrics.ts";
import { parseOrder } from "./parseOrder.ts";
import { prices } from "./prices.ts";
import type { Relayer } from "./relay/createRelayer.ts";

export type ApiChainInfo = ApiChainStatus & { ready: boolean; error?: string | undefined };

export type CreateApiServerParameters = {
  verifier: Verifier;
  /** Default 0 (a free port). */
  port?: number | undefined;
  /** Default 127.0.0.1: the API and its metrics stay on loopback unless asked otherwise. */
  host?: string | undefined;
  /** Default: `createApiMetrics({ chainStatus: chain?.status })`. */
  metrics?: ApiMetrics | undefined;
  /** The chain key index (e.g. a `chainKeyResolver`), reported by /healthz and the metrics. */
  chain?: { status(): ApiChainInfo } | undefined;
  /** Largest request body read, in bytes (default 64 KiB): larger ones get 413 unread. */
  maxBodyBytes?: number | undefined;
  /** Public origin clients sign for (e.g. "https://api.example.com") when behind a proxy; default the Host header. */
  origin?: string | undefined;
  /** Clock for the last-used metrics, ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * A verifier that judges without consuming nonces (same keys, a nonce store that
   * records nothing): enables `POST /v1/verify-request` for loopback clients, which
   * answers the verdict for a raw HTTP/1.1 request (the dApp's Look-up page uses it).
   */
  inspector?: Verifier | undefined;
  /** Alert events from rejections and the chain's state (see `createApiEvents`), e.g. to a webhook. */
  events?: ApiEvents | undefined;
  /**
   * Enables `POST /v1/relay` (see `createRelayer`): unauthenticated, since the owner's
   * EIP-712 signature is the authorization. Absent (the default): the route answers 404
   * `relay-disabled`.
   */
  relayer?: Relayer | undefined;
};

export type ApiServer = {
  server: Server;
  /** http://host:port, without a trailing slash. */
  url: string;
  metrics: ApiMetrics;
  /** Stops accepting and closes open connections; does not close the verifier (the caller owns it). */
  close(): Promise<void>;
};

type Handler = (context: { key: VerifySuccess; body: string; req: IncomingMessage }) => { status: number; body: unknown };

type Route = { method: string; scopes: readonly string[]; handle: Handler };

const routes: Record<string, Route> = {
  "/v1/prices": {
    method: "GET",
    scopes: ["read"],
    handle: () => ({ status: 200, body: { prices } }),
  },
  "/v1/orders": {
    method: "POST",
    scopes: ["trade"],
    handle: ({ key, body, req }) => {
      if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
        return { status: 415, body: { error: "unsupported-media-type", message: "send the order as application/json" } };
      }
      const parsed = parseOrder(body);
      if (!parsed.ok) return { status: 400, body: { error: "invalid-order", message: parsed.message } };
      const order = parsed.order;
      return {
        status: 201,
        body: {
          orderId: `ord_${randomUUID()}`,
          status: "accepted",
          type: order.price === undefined ? "market" : "limit",
          ...order,
          keyId: key.keyId,
          ...(key.owner ? { owner: key.owner } : {}),
        },
      };
    },
  },
};

/**
 * The reference API: a small crypto-data API protected by the KeyLedger verifier.
 * GET /v1/prices needs `read`, POST /v1/orders needs `trade`; GET /healthz and
 * GET /metrics (Prometheus, loopback clients only) need no signature.
 * Rejections answer the verifier's status (401, 403 insufficient-scope, 503 when
 * the chain state or nonce store cannot vouch) with `{ error: reason, message }`.
 * With a `relayer`, POST /v1/relay submits owners' signed registry operations.
 */
export async function createApiServer(parameters: CreateApiServerParameters): Promise<ApiServer> {
  const { verifier, port = 0, host = "127.0.0.1", chain, maxBodyBytes = 65_536, origin, now = Date.now, inspector, events, relayer } = parameters;
  const metrics = parameters.metrics ?? createApiMetrics({ chainStatus: chain ? () => chain.status() : undefined, routes: Object.keys(routes) });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0]!;
    const route = routes[path];
    const routeName = route || path === "/healthz" || path === "/metrics" || path === inspectPath || path === relayPath ? path : "other";
    let status = 500;
    try {
      status = await dispatch(req, res, path, route);
    } catch (error) {
      // Operational failure (e.g. a resolver bug): never an acceptance, never a stack trace to the client.
      process.stderr.write(`keyledger api: ${req.method} ${path}: ${(error as Error).message}\n`);
      status = send(res, 500, { error: "internal", message: "the server could not judge this request" });
    } finally {
      metrics.observe(routeName, req.method ?? "", status, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, path: string, route: Route | undefined): Promise<number> {
    if (path === "/healthz" && req.method === "GET") return health(res);
    if (path === "/metrics" && req.method === "GET") {
      if (!isLoopback(req.socket.remoteAddress)) {
        return send(res, 403, { error: "forbidden", message: "metrics are served to loopback clients only" });
      }
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
      res.end(text);
      return 200;
    }
    if (path === inspectPath && inspector) return inspect(req, res, inspector);
    if (path === relayPath) return relay(req, res);
    if (!route) return send(res, 404, { error: "not-found", message: `no route ${path}` });
    if (req.method !== route.method) {
      res.setHeader("allow", route.method);
      return send(res, 405, { error: "method-not-allowed", message: `${path} takes ${route.method}` });
    }
    let body: Uint8Array;
    try {
      body = await readRawBody(req, { limit: maxBodyBytes });
    } catch (error) {
      if (error instanceof BodyReadError) return send(res, 400, { error: "bad-request", message: "the request body could not be read" });
      if (!(error instanceof BodyTooLargeError)) throw error;
      // The unread rest of the body makes the connection unusable for another request.
      res.setHeader("connection", "close");
      res.once("finish", () => req.destroy());
      return send(res, 413, { error: "payload-too-large", message: `bodies are limited to ${maxBodyBytes} bytes` });
    }
    const result = await verifyNodeRequest({
      verifier,
      request: req,
      body: body.length ? body : undefined,
      origin,
      requiredScopes: route.scopes,
    });
    if (!result.ok) {
      metrics.rejected(path, result.reason, result.keyId);
      events?.rejected(path, result);
      return send(res, verifierReasons[result.reason].status, { error: result.reason, message: result.message });
    }
    metrics.verified(path, result, now());
    events?.verified(path, result);
    const answer = route.handle({ key: result, body: utf8.decode(body), req });
    return send(res, answer.status, answer.body);
  }

  async function inspect(req: IncomingMessage, res: ServerResponse, judge: Verifier): Promise<number> {
    if (!isLoopback(req.socket.remoteAddress)) {
      return send(res, 403, { error: "forbidden", message: "request inspection is served to loopback clients only" });
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "method-not-allowed", message: `${inspectPath} takes POST` });
    }
    const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    const scheme = query.get("scheme") ?? "http";
    if (scheme !== "http" && scheme !== "https") {
      return send(res, 400, { error: "bad-request", message: 'scheme must be "http" or "https"' });
    }
    const requiredScopes = (query.get("scopes") ?? "").split(",").filter(Boolean);
    let text: Uint8Array;
    try {
      text = await readRawBody(req, { limit: maxBodyBytes });
    } catch (error) {
      if (!(error instanceof BodyTooLargeError || error instanceof BodyReadError)) throw error;
      res.setHeader("connection", "close");
      return send(res, 413, { error: "payload-too-large", message: `raw requests are limited to ${maxBodyBytes} bytes` });
    }
    try {
      const raw = parseRawRequest(text);
      const url = rawRequestUrl({ raw, scheme });
      const verdict = await judge.verify({ method: raw.method, url, headers: raw.headers, body: raw.body }, { requiredScopes });
      return send(res, 200, verdict);
    } catch (error) {
      if (error instanceof RawRequestError) return send(res, 400, { error: "malformed-raw-request", message: error.shortMessage });
      throw error;
    }
  }

  async function relay(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const refused = (status: number, error: string, message: string) => {
      metrics.relayRefused("invalid", error);
      return send(res, status, { error, message });
    };
    if (!relayer) return send(res, 404, { error: "relay-disabled", message: "this server does not relay signed operations (start it with --relay)" });
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "method-not-allowed", message: `${relayPath} takes POST` });
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
      return refused(415, "unsupported-media-type", "send the signed operation as application/json");
    }
    let body: Uint8Array;
    try {
      body = await readRawBody(req, { limit: maxBodyBytes });
    } catch (error) {
      if (error instanceof BodyReadError) return refused(400, "bad-request", "the request body could not be read");
      if (!(error instanceof BodyTooLargeError)) throw error;
      res.setHeader("connection", "close");
      res.once("finish", () => req.destroy());
      return refused(413, "payload-too-large", `bodies are limited to ${maxBodyBytes} bytes`);
    }
    let json: unknown;
    try {
      json = JSON.parse(utf8.decode(body));
    } catch {
      return refused(400, "malformed-json", "the body is not valid JSON");
    }
    const answer = await relayer.relay(json);
    if (answer.relayed) metrics.relayed(answer.operation, answer.relayed);
    if (answer.refused) metrics.relayRefused(answer.operation, answer.refused);
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    return send(res, answer.status, answer.body);
  }

  function health(res: ServerResponse): number {
    if (!chain) return send(res, 200, { status: "ok" });
    const s = chain.status();
    const ok = s.ready && !s.stale;
    return send(res, ok ? 200 : 503, {
      status: ok ? "ok" : "unavailable",
      chain: {
        ready: s.ready,
        stale: s.stale,
        blockNumber: s.blockNumber ?? null,
        ageSeconds: Number.isFinite(s.ageSeconds) ? Math.round(s.ageSeconds * 1000) / 1000 : null,
        keys: s.keys,
        ...(s.error ? { error: s.error } : {}),
      },
    });
  }

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The chain's staleness becomes an event without waiting for a request to notice it.
  const chainWatch = events && chain ? setInterval(() => events.chain(chain.status()), 1_000).unref() : undefined;
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    server,
    url,
    metrics,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(chainWatch);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const inspectPath = "/v1/verify-request";
const relayPath = "/v1/relay";
const utf8 = new TextDecoder();

function send(res: ServerResponse, status: number, body: unknown): number {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(text);
  return status;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
