import { createServer } from "node:http";

export type RpcRequest = { jsonrpc: "2.0"; id: number | string; method: string; params?: unknown[] };

export type RpcProxy = {
  url: string;
  /** Where requests go now; change it to swap the chain behind the client between two calls. */
  target: string;
  /**
   * Called before each request is forwarded: return `{ code, message }` to answer
   * with that JSON-RPC error instead (a provider's limit), or nothing to forward.
   * May change `target` (e.g. swap chains right after the head lookup).
   */
  onRequest: ((request: RpcRequest) => { code: number; message: string } | undefined | void) | undefined;
  /** Methods forwarded so far, in order. */
  calls: string[];
  close(): Promise<void>;
};

/**
 * A 127.0.0.1 JSON-RPC relay in front of real nodes: unlike the TCP relay it sees
 * each call, so a test can refuse some (provider limits) or switch the upstream
 * node between two calls of one sync (a load balancer that moved us to another chain).
 */
export async function startRpcProxy({ target }: { target: string }): Promise<RpcProxy> {
  const proxy: RpcProxy = { url: "", target, onRequest: undefined, calls: [], close: async () => {} };
  const answer = async (request: RpcRequest) => {
    const refusal = proxy.onRequest?.(request);
    if (refusal) return { jsonrpc: "2.0", id: request.id, error: refusal };
    proxy.calls.push(request.method);
    const response = await fetch(proxy.target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
    return response.json();
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
      const result = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
    } catch {
      // The upstream node is down: look like a dead endpoint, not like an answer.
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
