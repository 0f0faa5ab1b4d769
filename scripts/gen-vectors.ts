// Writes the KeyLedger profile test vectors to test/vectors/*.json:
//   node scripts/gen-vectors.ts
// Keys come from fixed seeds and signatures are deterministic (Ed25519; ECDSA
// with RFC 6979 nonces), so running it again reproduces the files byte for byte;
// test/verifier/vectors.test.ts checks that, and checks every vector against the
// verifier. The seeds are public: these keys are for tests only.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { type Item, parseDictionary, serializeDictionary } from "structured-headers";
import { type Algorithm, bytesToBase64Url, computeKeyId, type Jwk, type KeyFile } from "../src/keys/index.ts";
import { collectFields, createSignatureBase, parseRequestTarget, serializeContentDigest } from "../src/profile/index.ts";

export type Vector = {
  name: string;
  description: string;
  request: { method: string; url: string; headers: [string, string][]; body?: string };
  key: { keyId: string; alg: Algorithm; publicKey: Jwk; scopes: string[] };
  verifier: { now: number; maxAgeSeconds: number; clockSkewSeconds: number; requiredScopes: string[] };
  expected: { signatureBase: string; verdict: { ok: true; keyId: string; alg: Algorithm; scopes: string[] } | { ok: false; reason: string } };
};

const created = 1_767_225_600; // 2026-01-01T00:00:00Z
const now = created * 1000 + 2_000;
const origin = "https://api.example.com";

function seed(name: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`keyledger test vector key: ${name}`).digest());
}

function vectorKey(alg: Algorithm): { file: KeyFile; d: Uint8Array } {
  const d = seed(alg);
  let publicKey: Jwk;
  if (alg === "ed25519") publicKey = { kty: "OKP", crv: "Ed25519", x: bytesToBase64Url(ed25519.getPublicKey(d)) };
  else {
    const point = (alg === "ecdsa-p256-sha256" ? p256 : secp256k1).getPublicKey(d, false);
    publicKey = { kty: "EC", crv: alg === "ecdsa-p256-sha256" ? "P-256" : "secp256k1", x: bytesToBase64Url(point.slice(1, 33)), y: bytesToBase64Url(point.slice(33)) };
  }
  return { file: { keyId: computeKeyId({ publicKey }), alg, label: `vector-${alg}`, publicKey }, d };
}

function sign(alg: Algorithm, d: Uint8Array, data: Uint8Array): Uint8Array {
  if (alg === "ed25519") return ed25519.sign(data, d);
  const digest = createHash("sha256").update(data).digest();
  return (alg === "ecdsa-p256-sha256" ? p256 : secp256k1).sign(digest, d).toCompactRawBytes();
}

type Spec = {
  name: string;
  description: string;
  alg: Algorithm;
  method: string;
  path: string;
  body?: string;
  headers?: [string, string][];
  components?: string[];
  params?: [string, string | number][];
  digest?: "sha-256" | "sha-512";
  /** Applied to the request after signing. */
  tamper?: (request: Vector["request"]) => void;
  now?: number;
  scopes?: string[];
  requiredScopes?: string[];
  reason?: string;
};

function build(spec: Spec): Vector {
  const { file, d } = vectorKey(spec.alg);
  const url = `${origin}${spec.path}`;
  const headers: [string, string][] = [...(spec.headers ?? [])];
  if (spec.body !== undefined) {
    const algorithm = spec.digest ?? "sha-256";
    const digest = new Uint8Array(createHash(algorithm === "sha-256" ? "sha256" : "sha512").update(spec.body).digest());
    headers.push(["Content-Digest", serializeContentDigest({ algorithm, digest })]);
  }
  const hasQuery = spec.path.includes("?");
  const names = spec.components ?? ["@method", "@authority", "@path", ...(hasQuery ? ["@query"] : []), ...(spec.body !== undefined ? ["content-digest"] : [])];
  const components: Item[] = names.map((n) => [n, new Map()]);
  const parameters = new Map<string, string | number>(
    spec.params ?? [["keyid", file.keyId], ["alg", spec.alg], ["created", created], ["nonce", `nonce-${spec.name}`]],
  );
  const base = baseOf({ method: spec.method, url, headers }, components, parameters);
  const signature = sign(spec.alg, d, new TextEncoder().encode(base));
  headers.push(
    ["Signature-Input", serializeDictionary(new Map([["sig", [components, parameters]]]))],
    ["Signature", serializeDictionary(new Map([["sig", [signature as Uint8Array<ArrayBuffer>, new Map()]]]))],
  );
  const request: Vector["request"] = { method: spec.method, url, headers, ...(spec.body === undefined ? {} : { body: spec.body }) };
  spec.tamper?.(request);
  const scopes = spec.scopes ?? ["read", "trade"];
  const input = request.headers.find(([n]) => n === "Signature-Input")![1];
  const [received] = [...parseDictionary(input).values()] as [Item[], Map<string, string | number>][];
  return {
    name: spec.name,
    description: spec.description,
    request,
    key: { keyId: file.keyId, alg: file.alg, publicKey: file.publicKey, scopes },
    verifier: { now: spec.now ?? now, maxAgeSeconds: 60, clockSkewSeconds: 5, requiredScopes: spec.requiredScopes ?? [] },
    expected: {
      signatureBase: baseOf(request, received![0], received![1]),
      verdict: spec.reason ? { ok: false, reason: spec.reason } : { ok: true, keyId: file.keyId, alg: spec.alg, scopes },
    },
  };
}

function baseOf(request: { method: string; url: string; headers: [string, string][] }, components: Item[], parameters: Map<string, unknown>): string {
  const target = parseRequestTarget(request.url);
  const fields = collectFields(request.headers);
  if (!target.ok || !fields.ok) throw new Error("vector request");
  const built = createSignatureBase({ message: { method: request.method, ...target.value, fields: fields.value }, components, parameters: parameters as never });
  if (!built.ok) throw new Error(built.error);
  return built.value.base;
}

const json = ["Content-Type", "application/json"] as [string, string];
const order = '{"pair":"ETH-USD","side":"buy","amount":"1.5"}';

export function buildVectors(): Vector[] {
  const specs: Spec[] = [
    { name: "ed25519-get-query", description: "Ed25519, GET with a query: @query is covered.", alg: "ed25519", method: "GET", path: "/v1/prices?pair=ETH-USD" },
    { name: "ed25519-post-sha256", description: "Ed25519, POST with a body and a sha-256 Content-Digest.", alg: "ed25519", method: "POST", path: "/v1/orders", body: order, headers: [json], requiredScopes: ["trade"] },
    { name: "p256-post-sha512", description: "ECDSA P-256, POST with a sha-512 Content-Digest.", alg: "ecdsa-p256-sha256", method: "POST", path: "/v1/orders?venue=main", body: order, headers: [json], digest: "sha-512" },
    { name: "secp256k1-get", description: "ECDSA secp256k1 (SHA-256, r||s), GET without query.", alg: "ecdsa-secp256k1-sha256", method: "GET", path: "/v1/balances" },
    {
      name: "noncanonical-signature-input",
      description: "Extra whitespace in Signature-Input: the base uses the canonical serialization, so it verifies.",
      alg: "ed25519",
      method: "GET",
      path: "/v1/prices",
      tamper: (r) => {
        const h = r.headers.find(([n]) => n === "Signature-Input")!;
        h[1] = h[1].replace("(", "(  ").replace('" "', '"   "').replace(")", "  )");
      },
    },
    { name: "reject-expired", description: "created is 66 s before now (maxAge 60 + skew 5).", alg: "ed25519", method: "GET", path: "/v1/prices", now: (created + 66) * 1000, reason: "expired-request" },
    { name: "reject-future", description: "created is 6 s after now (skew 5).", alg: "ed25519", method: "GET", path: "/v1/prices", now: (created - 6) * 1000, reason: "future-request" },
    {
      name: "reject-digest-mismatch",
      description: "Body changed after signing; Content-Digest no longer matches.",
      alg: "ed25519",
      method: "POST",
      path: "/v1/orders",
      body: order,
      headers: [json],
      tamper: (r) => void (r.body = r.body!.replace("1.5", "15")),
      reason: "digest-mismatch",
    },
    { name: "reject-bad-signature-path", description: "Path changed after signing.", alg: "ecdsa-p256-sha256", method: "GET", path: "/v1/prices", tamper: (r) => void (r.url = r.url.replace("prices", "orders")), reason: "bad-signature" },
    {
      name: "reject-alg-mismatch",
      description: "Signed by the Ed25519 key but alg names ECDSA P-256: refused, no algorithm confusion.",
      alg: "ed25519",
      method: "GET",
      path: "/v1/prices",
      params: [["keyid", vectorKey("ed25519").file.keyId], ["alg", "ecdsa-p256-sha256"], ["created", created], ["nonce", "n-alg"]],
      reason: "unsupported-alg",
    },
    {
      name: "reject-missing-nonce",
      description: "No nonce parameter.",
      alg: "ed25519",
      method: "GET",
      path: "/v1/prices",
      params: [["keyid", vectorKey("ed25519").file.keyId], ["created", created]],
      reason: "missing-nonce",
    },
    { name: "reject-uncovered-authority", description: "@authority not covered.", alg: "ed25519", method: "GET", path: "/v1/prices", components: ["@method", "@path"], reason: "malformed" },
    { name: "reject-insufficient-scope", description: "The route needs trade; the key holds read.", alg: "ecdsa-secp256k1-sha256", method: "GET", path: "/v1/prices", scopes: ["read"], requiredScopes: ["trade"], reason: "insufficient-scope" },
  ];
  return specs.map(build);
}

export function vectorFileText(vector: Vector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "vectors");
  mkdirSync(dir, { recursive: true });
  for (const vector of buildVectors()) writeFileSync(join(dir, `${vector.name}.json`), vectorFileText(vector));
  console.log(`wrote ${buildVectors().length} vectors to ${dir}`);
}
