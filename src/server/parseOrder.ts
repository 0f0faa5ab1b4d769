import { symbols } from "./prices.ts";

export type Order = { symbol: string; side: "buy" | "sell"; qty: number; price?: number | undefined };

export type ParseOrderReturnType = { ok: true; order: Order } | { ok: false; message: string };

const maxQty = 1e9;

/** Validates a POST /v1/orders body; the message says what is wrong, for a 400 answer. */
export function parseOrder(body: string): ParseOrderReturnType {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, message: "the body is not JSON" };
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) return { ok: false, message: "the body must be a JSON object" };
  const { symbol, side, qty, price, ...extra } = json as Record<string, unknown>;
  const unknownFields = Object.keys(extra);
  if (unknownFields.length) return { ok: false, message: `unknown field(s): ${unknownFields.join(", ")}` };
  if (typeof symbol !== "string" || !symbols.includes(symbol)) return { ok: false, message: `symbol must be one of ${symbols.join(", ")}` };
  if (side !== "buy" && side !== "sell") return { ok: false, message: 'side must be "buy" or "sell"' };
  if (typeof qty !== "number" || !Number.isFinite(qty) || qty <= 0 || qty > maxQty) {
    return { ok: false, message: `qty must be a number above 0 and at most ${maxQty}` };
  }
  if (price !== undefined && (typeof price !== "number" || !Number.isFinite(price) || price <= 0)) {
    return { ok: false, message: "price, when given, must be a number above 0" };
  }
  return { ok: true, order: { symbol, side, qty, ...(price === undefined ? {} : { price }) } };
}
