export type BenchRequestKind = "get" | "post";

/** A request as the benches send it: plain data, ready for `verify`, autocannon or http-message-signatures. */
export type BenchRequest = {
  method: "GET" | "POST";
  /** Absolute URL the signature covers. */
  url: string;
  /** Path and query, as sent on the wire. */
  path: string;
  /** Lower-case names, one value each. */
  headers: Record<string, string>;
  body?: string | undefined;
};

/** Every bench signs for this authority; servers see it in the Host header, so one pool fits any port. */
export const benchOrigin = "http://bench.keyledger.test";

/** The order the 1 KB POST carries (the reference server's POST /v1/orders accepts it). */
const order = '{"symbol":"ETH-USD","side":"buy","qty":0.5,"price":3400}';
/** JSON allows trailing whitespace: the body is a valid order of exactly 1,024 bytes. */
const postBody = order.padEnd(1024, " ");

/**
 * The two requests every verifier bench measures: a GET with a query
 * (covers @query) and a 1 KB POST (covers content-digest, which the verifier
 * recomputes from the body). Both are routes of the reference server.
 */
export function benchRequest({ kind, origin = benchOrigin }: { kind: BenchRequestKind; origin?: string | undefined }): BenchRequest {
  const host = new URL(origin).host;
  if (kind === "get") {
    const path = "/v1/prices?pair=ETH-USD";
    return { method: "GET", url: `${origin}${path}`, path, headers: { host, accept: "application/json" } };
  }
  const path = "/v1/orders";
  return { method: "POST", url: `${origin}${path}`, path, headers: { host, "content-type": "application/json" }, body: postBody };
}
