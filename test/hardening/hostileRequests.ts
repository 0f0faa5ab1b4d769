// Building blocks of the hostile-request suite: request templates, signing with
// arbitrary parameters, header surgery. Kept apart so the test file reads as the
// list of attacks.
import { createHash, randomBytes } from "node:crypto";
import { type BareItem, type Dictionary, type InnerList, type Item, parseDictionary, serializeDictionary } from "structured-headers";
import type { KeyFile } from "../../src/keys/index.ts";
import { signBytes } from "../../src/keys/index.ts";
import { collectFields, createSignatureBase, parseRequestTarget } from "../../src/profile/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import type { VerifyRequestInit } from "../../src/verifier/index.ts";

/** A request as the attacker shapes it: header lines in order, duplicates allowed. */
export type Req = { method: string; url: string; headers: [string, string][]; body?: Uint8Array | undefined };

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The shapes of request the suite attacks: with and without query and body, default and explicit ports. */
export const templates: readonly ((bytes: Uint8Array) => Req)[] = [
  () => ({ method: "GET", url: "https://api.example.com/v1/prices", headers: [["accept", "application/json"]] }),
  () => ({ method: "GET", url: "https://api.example.com/v1/prices?pair=ETH-USD&depth=5", headers: [] }),
  () => ({
    method: "POST",
    url: "https://api.example.com/v1/orders?venue=main",
    headers: [["content-type", "application/json"]],
    body: json({ symbol: "ETH-USD", side: "buy", qty: 1 }),
  }),
  () => ({
    method: "POST",
    url: "http://127.0.0.1:8787/v1/orders",
    headers: [["content-type", "application/json"]],
    body: json({ symbol: "BTC-USD", side: "sell", qty: 0.5, price: 70_000 }),
  }),
  (bytes) => ({
    method: "PUT",
    url: "https://api.example.com:8443/v1/keys/caf%C3%A9",
    headers: [["content-type", "application/octet-stream"]],
    body: bytes.length ? bytes : new Uint8Array([0]),
  }),
  () => ({ method: "DELETE", url: "https://api.example.com/v1/orders/ord_1?force=true&reason=a%20b", headers: [] }),
];

export function hasBody(req: Req): boolean {
  return req.body !== undefined && req.body.length > 0;
}

export function hasQuery(req: Req): boolean {
  const target = parseRequestTarget(req.url);
  return target.ok && target.value.query.length > 1;
}

export function clone(req: Req): Req {
  return { method: req.method, url: req.url, headers: req.headers.map(([n, v]) => [n, v]), ...(req.body ? { body: req.body } : {}) };
}

/** The first line of a header, by case-insensitive name. */
export function header(req: Req, name: string): string | undefined {
  return req.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Replaces every line of `name` with one line where the first was (or removes them all when value is undefined). */
export function setHeader(req: Req, name: string, value: string | undefined): Req {
  const out = clone(req);
  const at = out.headers.findIndex(([n]) => n.toLowerCase() === name);
  const kept = out.headers.filter(([n]) => n.toLowerCase() !== name);
  if (value !== undefined) {
    if (at === -1) kept.push([name, value]);
    else kept.splice(at, 0, [out.headers[at]![0], value]);
  }
  out.headers = kept;
  return out;
}

export function addHeader(req: Req, name: string, value: string, first = false): Req {
  const out = clone(req);
  if (first) out.headers.unshift([name, value]);
  else out.headers.push([name, value]);
  return out;
}

export function toVerifyInput(req: Req): VerifyRequestInit {
  return { method: req.method, url: req.url, headers: req.headers, body: req.body };
}

export type SignOptions = { key: KeyFile; created: number; nonce: string; expires?: number | undefined; digest?: "sha-256" | "sha-512" | undefined };

/** Signs as the SDK does (what an honest client sends). */
export async function signStandard(req: Req, { key, created, nonce, expires, digest }: SignOptions): Promise<Req> {
  const signed = await signRequest({ method: req.method, url: req.url, headers: req.headers, body: req.body }, { key, created, nonce, expires, digest });
  return { method: req.method, url: req.url, headers: signed.headers as [string, string][], ...(req.body ? { body: req.body } : {}) };
}

/**
 * Signs exactly the given components and parameters, whatever the profile says
 * (no nonce, a foreign alg, a huge keyid, a date-typed created...). When no
 * signature base can be built, the signature is random bytes: the request is
 * hostile either way.
 */
export async function signRaw(
  req: Req,
  { key, components, parameters, label = "sig", digest = true }: { key: KeyFile; components: (string | Item)[]; parameters: [string, BareItem][]; label?: string; digest?: boolean },
): Promise<Req> {
  let out = clone(req);
  if (digest && out.body && out.body.length) out = setHeader(out, "content-digest", sha256Digest(out.body));
  const items: Item[] = components.map((c) => (typeof c === "string" ? [c, new Map()] : c));
  const params = new Map(parameters);
  const target = parseRequestTarget(out.url);
  const fields = collectFields(out.headers);
  let signature: Uint8Array = randomBytes(64);
  if (target.ok && fields.ok) {
    const built = createSignatureBase({ message: { method: out.method, ...target.value, fields: fields.value }, components: items, parameters: params });
    if (built.ok) signature = await signBytes({ privateKey: key.privateKey!, data: new TextEncoder().encode(built.value.base) });
  }
  out = setHeader(out, "signature-input", serializeDictionary(new Map([[label, [items, params]]])));
  return setHeader(out, "signature", serializeDictionary(new Map([[label, [signature as Uint8Array<ArrayBuffer>, new Map()]]])));
}

export function sha256Digest(body: Uint8Array): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

export function sha512Digest(body: Uint8Array): string {
  return `sha-512=:${createHash("sha512").update(body).digest("base64")}:`;
}

/** The profile's components for this request, as the SDK picks them. */
export function profileComponentsOf(req: Req): string[] {
  return ["@method", "@authority", "@path", ...(hasQuery(req) ? ["@query"] : []), ...(hasBody(req) ? ["content-digest"] : [])];
}

/** The single member of a Signature-Input / Signature field written by the SDK. */
export function member(value: string): { label: string; member: Item | InnerList; dictionary: Dictionary } {
  const dictionary = parseDictionary(value);
  const [label, first] = [...dictionary][0]!;
  return { label, member: first, dictionary };
}

/** Signature-Input with one parameter changed (undefined removes it). */
export function withParameter(signatureInput: string, name: string, value: BareItem | undefined): string {
  const { label, member: m } = member(signatureInput);
  const [items, params] = m as InnerList;
  const next = new Map(params);
  if (value === undefined) next.delete(name);
  else next.set(name, value);
  return serializeDictionary(new Map([[label, [items, next]]]));
}

export function signatureBytes(signature: string): Uint8Array {
  const { member: m } = member(signature);
  return new Uint8Array((m as Item)[0] as ArrayBuffer);
}

export function signatureField(bytes: Uint8Array, label = "sig"): string {
  return serializeDictionary(new Map([[label, [bytes as Uint8Array<ArrayBuffer>, new Map()]]]));
}

/** Canonical form of a structured field, or a marker when it does not parse. */
export function canonical(value: string | undefined): string {
  if (value === undefined) return "<absent>";
  try {
    // HTTP strips leading and trailing SP and HTAB from a field value (RFC 9110 §5.5) first.
    return serializeDictionary(parseDictionary(value.replace(/^[ \t]+|[ \t]+$/g, "")));
  } catch {
    return `<unparseable>${value}`;
  }
}

/**
 * Whether a mutated request still means what the signed one meant: same method,
 * target, body, covered field lines, and signature fields equal once parsed.
 * Such a copy may be accepted once (it is the same request); it is not counted as
 * hostile.
 */
export function sameMeaning(a: Req, b: Req): boolean {
  const norm = (req: Req) => {
    const target = parseRequestTarget(req.url);
    const fields = collectFields(req.headers);
    if (!target.ok || !fields.ok) return undefined;
    const f = fields.value;
    return JSON.stringify({
      method: req.method,
      target: target.value,
      body: req.body ? Buffer.from(req.body).toString("base64") : "",
      digest: f.get("content-digest") ?? null,
      input: canonical(f.get("signature-input")?.join(", ")),
      signature: canonical(f.get("signature")?.join(", ")),
    });
  };
  const x = norm(a);
  return x !== undefined && x === norm(b);
}

/** The other valid ECDSA signature of the same message: (r, n - s). Ed25519 has none. */
export function malleate(signature: Uint8Array, alg: KeyFile["alg"]): Uint8Array | undefined {
  const orders: Partial<Record<KeyFile["alg"], bigint>> = {
    "ecdsa-p256-sha256": 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    "ecdsa-secp256k1-sha256": 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  };
  const n = orders[alg];
  if (n === undefined || signature.length !== 64) return undefined;
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
  const flipped = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
  const out = new Uint8Array(64);
  out.set(signature.subarray(0, 32));
  out.set(flipped, 32);
  return out;
}
