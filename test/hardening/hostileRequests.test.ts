// The verifier under hostile input (issue 5), beyond test/verifier/hostile.test.ts:
// every request here is a signed, otherwise valid request that an attacker then
// broke in one precise way (structured fields, duplicated and huge headers,
// foreign and mismatched algorithms, bit flips, each covered component, bodies,
// digests, non-canonical encodings, every window edge, replays on one instance and
// across two instances sharing a real Redis), plus random garbage and raw HTTP
// attacks on the reference server's adapter.
//
// Each hostile request must be rejected with the reason its attack calls for, and
// verify must never throw. After each attack the untouched original is verified
// by the same instance and must be accepted: the rejection came from the attack,
// and a forged copy never burns the legitimate request's nonce. A mutation that
// leaves the meaning intact (same bytes once parsed) is not counted as hostile.
//
// `npm test` runs a few thousand; `npm run stress` (KEYLEDGER_STRESS=1) many more;
// KEYLEDGER_HOSTILE_RUNS / KEYLEDGER_HOSTILE_HTTP_RUNS override.
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import express from "express";
import fc from "fast-check";
import { type BareItem, Token } from "structured-headers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Algorithm, generateKey, type KeyFile } from "../../src/keys/index.ts";
import { redisNonceStore } from "../../src/nonces/index.ts";
import { type ApiServer, createApiServer } from "../../src/server/index.ts";
import { keyledger } from "../../src/verifier/adapters/express.ts";
import {
  createVerifier,
  type KeyResolver,
  memoryNonceStore,
  type NonceStore,
  type ResolveResult,
  staticKeyResolver,
  type Verifier,
  type VerifierReason,
  verifierReasonList,
  type VerifyOptions,
  type VerifyResult,
} from "../../src/verifier/index.ts";
import { count, reportFigures, scale, tally } from "../../scripts/stress/figures.ts";
import { type RedisServer, redisSkipReason, startRedis } from "../helpers/redis.ts";
import {
  addHeader,
  clone,
  hasBody,
  header,
  malleate,
  profileComponentsOf,
  type Req,
  sameMeaning,
  setHeader,
  sha256Digest,
  sha512Digest,
  signatureBytes,
  signatureField,
  signRaw,
  signStandard,
  templates,
  toVerifyInput,
  withParameter,
} from "./hostileRequests.ts";

const runs = scale({ quick: 3_000, stress: 60_000, env: "KEYLEDGER_HOSTILE_RUNS" });
const httpRuns = scale({ quick: 150, stress: 2_000, env: "KEYLEDGER_HOSTILE_HTTP_RUNS" });
const seed = Number(process.env.KEYLEDGER_HOSTILE_SEED ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);

/** 2026-01-01T00:00:00Z; each case moves the clock within its second. */
const T = 1_767_225_600;
let nowMs = T * 1000;
const clock = () => nowMs;

const algs: readonly Algorithm[] = ["ed25519", "ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"];
const replayOnly: readonly VerifierReason[] = ["replayed-nonce"];
/** What a non-replay attack may be rejected with: anything but "cannot tell right now" and replay. */
const anyForgery = verifierReasonList.filter((r) => !["replayed-nonce", "nonce-store-unavailable", "stale-chain-state"].includes(r));
const R = (...reasons: VerifierReason[]) => reasons;

type Role = "hostile" | "control" | "boundary" | "equivalent" | "race";
type Step = {
  role: Role;
  attack: string;
  req: Req;
  v: Verifier;
  /** Second instance for a race (the same request sent to both at once). */
  v2?: Verifier | undefined;
  expect?: readonly VerifierReason[] | undefined;
  options?: VerifyOptions | undefined;
  before?: (() => void) | undefined;
  after?: (() => void) | undefined;
};

const stats = {
  hostile: 0,
  accepted: 0,
  crashed: 0,
  wrongReason: 0,
  controls: 0,
  boundary: 0,
  equivalent: 0,
  equivalentAccepted: 0,
  redisCases: 0,
  byCategory: new Map<string, number>(),
  byReason: new Map<string, number>(),
  failures: [] as string[],
  http: { hostile: 0, accepted: 0, crashed: 0, controls: 0, byStatus: new Map<string, number>() },
};
const bump = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);
const started = performance.now();

let main: Record<Algorithm, KeyFile>;
let imposter: Record<Algorithm, KeyFile>;
let revoked: KeyFile;
let suspended: KeyFile;
let noScope: KeyFile;
let windowKey: KeyFile;
let windowOverride: { notBefore?: number; expiresAt?: number } = {};
type Instance = { v: Verifier; maxAge: number; skew: number; name: string };
let memory: Instance;
let sync: Instance;
let strict: Instance;
let redisA: Instance | undefined;
let redisB: Instance | undefined;
let redis: RedisServer | undefined;
let serial = 0;

beforeAll(async () => {
  const gen = (alg: Algorithm, label: string) => generateKey({ alg, label });
  const [mains, imposters, others] = await Promise.all([
    Promise.all(algs.map((alg) => gen(alg, "main"))),
    Promise.all(algs.map((alg) => gen(alg, "imposter"))),
    Promise.all([gen("ed25519", "revoked"), gen("ecdsa-p256-sha256", "suspended"), gen("ed25519", "no-scope"), gen("ed25519", "window")]),
  ]);
  main = Object.fromEntries(algs.map((alg, i) => [alg, mains[i]!])) as Record<Algorithm, KeyFile>;
  imposter = Object.fromEntries(algs.map((alg, i) => [alg, imposters[i]!])) as Record<Algorithm, KeyFile>;
  [revoked, suspended, noScope, windowKey] = others as [KeyFile, KeyFile, KeyFile, KeyFile];
  const entry = (key: KeyFile, extra: object = {}) => ({ alg: key.alg, publicKey: key.publicKey, scopes: ["read", "trade"], label: key.label, ...extra });
  const fixed = staticKeyResolver({
    ...Object.fromEntries(mains.map((key) => [key.keyId, entry(key)])),
    [revoked.keyId]: entry(revoked, { state: "revoked" }),
    [suspended.keyId]: entry(suspended, { state: "suspended" }),
    [noScope.keyId]: entry(noScope, { scopes: [] }),
    [windowKey.keyId]: entry(windowKey),
  });
  // The window key's validity window is set per case, to put "now" on each edge.
  const keys: KeyResolver = {
    resolve(keyId) {
      const result = fixed.resolve(keyId) as ResolveResult;
      if (result.status === "found" && result.key.keyId === windowKey.keyId) return { status: "found", key: { ...result.key, ...windowOverride } };
      return result;
    },
  };
  const instance = (name: string, options: { maxAgeSeconds?: number; clockSkewSeconds?: number; threadPool?: boolean } = {}, nonces: NonceStore = memoryNonceStore({ now: clock })): Instance => ({
    v: createVerifier({ keys, nonces, now: clock, ...options }),
    maxAge: options.maxAgeSeconds ?? 60,
    skew: options.clockSkewSeconds ?? 5,
    name,
  });
  memory = instance("memory");
  sync = instance("memory, synchronous verify", { threadPool: false });
  strict = instance("memory, maxAge 1 s, skew 0", { maxAgeSeconds: 1, clockSkewSeconds: 0 });
  if (redisSkipReason) {
    console.warn(`hostile requests: the cross-instance replay cases are skipped: ${redisSkipReason}`);
    return;
  }
  redis = await startRedis();
  // Two verifier instances, each with its own connection: two processes sharing one Redis.
  const storeA = redisNonceStore({ url: redis.url, now: clock, timeoutMs: 2_000 });
  const storeB = redisNonceStore({ url: redis.url, now: clock, timeoutMs: 2_000 });
  await Promise.all([storeA.ready(), storeB.ready()]);
  redisA = instance("redis A", {}, storeA);
  redisB = instance("redis B", {}, storeB);
});

afterAll(async () => {
  await Promise.all([memory, sync, strict, redisA, redisB].map((i) => i?.v.close()));
  await redis?.stop();
  const seconds = (performance.now() - started) / 1000;
  const total = stats.hostile + stats.http.hostile;
  reportFigures({
    suite: "hostile",
    title: `hostile requests (seed ${seed}): ${count(total)} tried, ${count(stats.accepted + stats.http.accepted)} accepted, ${count(stats.crashed + stats.http.crashed)} crashed, ${seconds.toFixed(1)} s`,
    lines: [
      `verify: ${count(stats.hostile)} hostile requests over ${stats.byCategory.size} attack families, ${count(stats.accepted)} accepted, ${count(stats.crashed)} threw, ${count(stats.wrongReason)} with an unexpected reason`,
      `  families: ${tally(stats.byCategory)}`,
      `  rejected as: ${tally(stats.byReason)}`,
      `  controls: ${count(stats.controls)} untouched originals accepted after their forged copies; ${count(stats.boundary)} requests exactly on a window edge accepted`,
      `  ${count(stats.equivalent)} meaning-preserving re-encodings (not counted as hostile; ${count(stats.equivalentAccepted)} accepted once, as the same request)`,
      redisA
        ? `  replays across two verifier instances sharing a real Redis: ${count(stats.redisCases)} cases`
        : `  replays across instances: skipped (${redisSkipReason})`,
      `http adapters (reference server and Express middleware, raw sockets): ${count(stats.http.hostile)} hostile requests, ${count(stats.http.accepted)} answered 2xx, ${count(stats.http.crashed)} failed; ${count(stats.http.controls)} controls answered 2xx`,
      `  answers: ${tally(stats.http.byStatus)}`,
      ...(stats.failures.length ? ["failures:", ...stats.failures.slice(0, 10).map((f) => `  ${f}`)] : []),
    ],
    data: {
      seed,
      tried: total,
      accepted: stats.accepted + stats.http.accepted,
      crashed: stats.crashed + stats.http.crashed,
      wrongReason: stats.wrongReason,
      verifyHostile: stats.hostile,
      httpHostile: stats.http.hostile,
      families: Object.fromEntries(stats.byCategory),
      reasons: Object.fromEntries(stats.byReason),
      httpStatuses: Object.fromEntries(stats.http.byStatus),
      controls: stats.controls + stats.http.controls,
      boundary: stats.boundary,
      equivalent: stats.equivalent,
      redisCases: stats.redisCases,
      redis: redisA !== undefined,
      seconds,
    },
  });
});

// ---------------------------------------------------------------------------
// Cases

/** Attack families and how often each is drawn. */
const weights = {
  "broken-structured-field": 3,
  "duplicated-header": 2,
  "huge-header": 1,
  "unknown-alg": 1,
  "alg-mismatch": 1,
  "signature-bit-flip": 2,
  "covered-component-altered": 3,
  "body-truncated-or-oversized": 1,
  "digest-mismatch": 1,
  "non-canonical-encoding": 2,
  "timestamp-window-edge": 2,
  "replay-same-instance": 2,
  "replay-across-instances": 1,
  "wrong-or-unusable-key": 1,
  "coverage-and-parameters": 2,
  "signature-input-suffix": 2,
} as const;
type Category = keyof typeof weights;
const categories = (Object.entries(weights) as [Category, number][]).flatMap(([name, weight]) => Array<Category>(weight).fill(name));

type Case = {
  category: Category;
  alg: Algorithm;
  template: number;
  a: number;
  b: number;
  c: number;
  ms: number;
  age: number;
  text: string;
  bytes: Uint8Array;
  instance: number;
};

const caseArb: fc.Arbitrary<Case> = fc.record({
  category: fc.constantFrom(...categories),
  alg: fc.constantFrom<Algorithm>("ed25519", "ed25519", "ed25519", "ecdsa-p256-sha256", "ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"),
  template: fc.nat({ max: templates.length - 1 }),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  ms: fc.nat({ max: 999 }),
  age: fc.nat({ max: 30 }),
  text: fc.string({ maxLength: 40, unit: "binary" }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 96 }),
  instance: fc.nat({ max: 5 }),
});

type Garbage = { method: string; url: string; headers: [string, string][]; body: string | Uint8Array | null };
const fieldGarbage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom(
    'sig=("@method");keyid="0x";created=1',
    "sig=:AAAA:",
    "sig=(",
    'sig=("@method" "@authority" "@path");keyid="0x' + "0".repeat(64) + '";created=1767225600;nonce="x"',
    `sig=();created=${"9".repeat(16)}`,
    "sig=();created=@1767225600",
    'sig=();nonce=%"caf%c3%a9"',
    "a=?1, b=?0, sig=:=:",
    "sig=(\"@method\";bs;sf)",
  ),
);
const garbageArb: fc.Arbitrary<Garbage> = fc.record({
  method: fc.oneof(fc.constantFrom("GET", "POST", "", "G\tET", "GET /x"), fc.string({ maxLength: 12 })),
  url: fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.string({ maxLength: 60 }),
    fc.constantFrom("https://api.example.com/v1/prices", "https://user:pw@api.example.com/x", "https://[::1]:99999/x", "https://api.example.com\\@evil/x", "//api.example.com/x"),
  ),
  headers: fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom("signature-input", "signature", "content-digest", "Signature-Input", "SIGNATURE"), fieldGarbage),
      fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })),
    ),
    { maxLength: 8 },
  ),
  body: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }))),
});

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

function otherAlgs(alg: Algorithm): Algorithm[] {
  return algs.filter((a) => a !== alg);
}

function flipBits(bytes: Uint8Array, seedA: number, seedB: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const flips = 1 + (seedB % 3);
  for (let i = 0; i < flips; i++) {
    const bit = (seedA + i * 97) % (out.length * 8);
    out[bit >> 3]! ^= 1 << (bit & 7);
  }
  return out;
}

function replaceAuthority(url: string, authority: string): string {
  return url.replace(/^(\w+:\/\/)[^/?#]+/, `$1${authority}`);
}

function pathOf(url: string): { prefix: string; path: string; rest: string } {
  const m = /^(\w+:\/\/[^/?#]+)([^?#]*)(.*)$/.exec(url)!;
  return { prefix: m[1]!, path: m[2]!, rest: m[3]! };
}

/** The attack steps for one case, in order. */
async function stepsFor(c: Case): Promise<Step[]> {
  nowMs = T * 1000 + c.ms;
  const nowSec = Math.floor(nowMs / 1000);
  const key = main[c.alg];
  const base = templates[c.template]!(c.bytes);
  const created = nowSec - c.age;
  const nonce = `n${++serial}-${c.a.toString(36)}`;
  const original = await signStandard(base, { key, created, nonce });
  const instances = [memory, sync, memory, ...(redisA ? [redisA] : [])];
  const target = pick(instances, c.instance);
  const v = target.v;
  const control: Step = { role: "control", attack: "original", req: original, v };
  const hostile = (attack: string, req: Req, expectReasons: readonly VerifierReason[] = anyForgery, extra: Partial<Step> = {}): Step => ({
    role: sameMeaning(original, req) ? "equivalent" : "hostile",
    attack,
    req,
    v,
    expect: expectReasons,
    ...extra,
  });
  const input = header(original, "signature-input")!;
  const signature = header(original, "signature")!;
  const digest = header(original, "content-digest");
  const stdParams = (over: Record<string, BareItem | undefined> = {}): [string, BareItem][] => {
    const params: Record<string, BareItem | undefined> = { keyid: key.keyId, alg: key.alg, created, nonce: `${nonce}-raw`, ...over };
    return Object.entries(params).filter((e): e is [string, BareItem] => e[1] !== undefined);
  };
  const components = profileComponentsOf(original);

  switch (c.category) {
    case "broken-structured-field": {
      const names = ["signature-input", "signature", ...(digest ? ["content-digest"] : [])];
      const name = pick(names, c.a);
      const value = header(original, name)!;
      const breakers = ["(", ")", '"', ";", "=", ",", ":", "\\", "\x00", "\x7f", "é", "\n", "*", "?", "@", "%", "'", "\r\n", "\u2028", "\ufeff"];
      let mutated: string;
      switch (c.b % 4) {
        case 0:
          mutated = value.slice(0, c.c % value.length);
          break;
        case 1: {
          const i = c.c % (value.length + 1);
          mutated = value.slice(0, i) + pick(breakers, c.a >> 3) + value.slice(i);
          break;
        }
        case 2:
          mutated = c.text === value ? `${c.text}x` : c.text;
          break;
        default: {
          const i = c.c % value.length;
          mutated = value.slice(0, i) + value.slice(i + 1);
        }
      }
      return [hostile(`broken ${name}`, setHeader(original, name, mutated)), control];
    }

    case "duplicated-header": {
      const sub = c.a % 6;
      if (sub === 1) {
        return [hostile("Signature twice (second: other bytes, same label)", addHeader(original, "Signature", signatureField(randomBytes(64))), R("bad-signature")), control];
      }
      if (sub === 2 && original.body) {
        const body = Buffer.concat([original.body, Buffer.from("x")]);
        const req = { ...addHeader(original, "Content-Digest", sha256Digest(body)), body };
        return [hostile("Content-Digest twice (second for a substituted body)", req, R("digest-mismatch", "bad-signature")), control];
      }
      if (sub === 3 && digest) {
        return [hostile("Content-Digest twice (same line)", addHeader(original, "Content-Digest", digest), R("bad-signature")), control];
      }
      if (sub === 4) {
        // The attacker's member comes first and meets the profile: it is the one verified.
        const params = stdParams({ nonce: "evil" });
        const evilInput = withParameter(`evil=(${components.map((n) => `"${n}"`).join(" ")})`, "keyid", key.keyId);
        let evil = evilInput;
        for (const [name, value] of params) evil = withParameter(evil, name, value);
        const req = addHeader(addHeader(original, "Signature-Input", evil, true), "Signature", signatureField(randomBytes(64), "evil"), true);
        return [hostile("an extra Signature-Input member placed first", req, R("bad-signature")), control];
      }
      if (sub === 5) {
        return [hostile("Signature-Input line repeated as is", addHeader(original, "Signature-Input", input)), control];
      }
      const changes: [string, BareItem | undefined][] = [
        ["nonce", `${nonce}x`],
        ["created", created - 1 - (c.b % 5)],
        ["keyid", main[pick(otherAlgs(c.alg), c.b)].keyId],
        ["alg", undefined],
        ["expires", created + 1000],
      ];
      const [name, value] = pick(changes, c.b);
      return [hostile(`Signature-Input twice (second: ${name} changed)`, addHeader(original, "Signature-Input", withParameter(input, name, value))), control];
    }

    case "huge-header": {
      const sub = c.a % 6;
      if (sub === 0) return [hostile("Signature-Input over 8 KiB (padding parameter)", setHeader(original, "signature-input", withParameter(input, "pad", "x".repeat(8_200 + (c.b % 40_000)))), R("malformed")), control];
      if (sub === 1) {
        const many = Array.from({ length: 700 + (c.b % 1_000) }, (_, i) => `m${i}=("@method");created=1`).join(", ");
        return [hostile("Signature-Input with ~1,000 members", addHeader(original, "Signature-Input", many, true), R("malformed")), control];
      }
      if (sub === 2) {
        const req = await signRaw(original, { key, components, parameters: stdParams({ nonce: "n".repeat(129 + (c.b % 5_000)) }) });
        return [hostile("nonce longer than 128 characters", req, R("malformed")), control];
      }
      if (sub === 3) {
        const req = await signRaw(original, { key, components, parameters: stdParams({ keyid: `0x${"ab".repeat(128 + (c.b % 5_000))}` }) });
        return [hostile("huge keyid", req, R("malformed")), control];
      }
      if (sub === 4) {
        if (digest) {
          const huge = `${digest}, ${Array.from({ length: 1_000 + (c.b % 400) }, (_, i) => `x${i}=:AAAA:`).join(", ")}`;
          return [hostile("Content-Digest over 8 KiB", setHeader(original, "content-digest", huge), R("digest-mismatch")), control];
        }
        return [hostile("Signature over 8 KiB", setHeader(original, "signature", `${signature}, ${"p=:AAAA:, ".repeat(1_000)}q=:AAAA:`), R("malformed")), control];
      }
      let req = setHeader(original, "signature", signatureField(flipBits(signatureBytes(signature), c.b, c.c)));
      for (let i = 0; i < 2_000; i++) req.headers.push([`x-junk-${i}`, "j".repeat(16)]);
      req = addHeader(req, "x-huge", "h".repeat(65_536));
      return [hostile("2,000 extra header lines and a 64 KiB header, signature flipped", req, R("bad-signature")), control];
    }

    case "unknown-alg": {
      const unknownAlgs: BareItem[] = [
        "hmac-sha256",
        "rsa-pss-sha512",
        "rsa-v1_5-sha256",
        "ecdsa-p384-sha384",
        "ed448",
        "ED25519",
        "Ed25519",
        "ed25519 ",
        " ed25519",
        "none",
        "",
        "ecdsa-p256-sha512",
        "ecdsa-secp256k1",
        "es256k",
        "EdDSA",
        "ecdsa-secp256k1-keccak256",
        new Token("ed25519"),
        1,
        true,
        new TextEncoder().encode("ed25519") as Uint8Array<ArrayBuffer>,
      ];
      const alg = pick(unknownAlgs, c.b);
      const req = await signRaw(original, { key, components, parameters: stdParams({ alg }) });
      return [hostile(`alg ${typeof alg === "string" ? JSON.stringify(alg) : String(alg)}`, req, R("unsupported-alg")), control];
    }

    case "alg-mismatch": {
      const other = pick(otherAlgs(c.alg), c.b);
      const sub = c.a % 4;
      if (sub === 0) return [hostile("alg names another profile algorithm", await signRaw(original, { key, components, parameters: stdParams({ alg: other }) }), R("unsupported-alg")), control];
      if (sub === 1) {
        const req = await signRaw(original, { key: imposter[other], components, parameters: stdParams({ alg: other }) });
        return [hostile("signed with a key of another algorithm, alg says so", req, R("unsupported-alg")), control];
      }
      if (sub === 2) {
        const req = await signRaw(original, { key: imposter[other], components, parameters: stdParams({ alg: undefined }) });
        return [hostile("signed with a key of another algorithm, no alg", req, R("bad-signature")), control];
      }
      const req = await signRaw(original, { key: imposter[c.alg], components, parameters: stdParams() });
      return [hostile("signed by another key of the same algorithm", req, R("bad-signature")), control];
    }

    case "signature-bit-flip": {
      const bytes = signatureBytes(signature);
      const sub = c.a % 6;
      let forged: Uint8Array;
      let attack: string;
      if (sub <= 1) [forged, attack] = [flipBits(bytes, c.b, c.c), "signature bits flipped"];
      else if (sub === 2) [forged, attack] = [bytes.subarray(0, c.b % 64), "signature truncated"];
      else if (sub === 3) [forged, attack] = [new Uint8Array([...bytes, ...randomBytes(1 + (c.b % 64))]), "signature extended"];
      else if (sub === 4) [forged, attack] = [new Uint8Array(64), "all-zero signature"];
      else {
        const other = await signStandard(templates[(c.template + 1) % templates.length]!(c.bytes), { key, created, nonce });
        [forged, attack] = [signatureBytes(header(other, "signature")!), "the key's valid signature of another request"];
      }
      return [hostile(attack, setHeader(original, "signature", signatureField(forged)), R("bad-signature")), control];
    }

    case "covered-component-altered": {
      const targets = [...components, "created", "nonce", "keyid", "alg", "expires"];
      const name = pick(targets, c.a);
      if (name === "@method") {
        const alt = pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", original.method.toLowerCase(), `${original.method}X`].filter((m) => m !== original.method), c.b);
        return [hostile("@method altered", { ...clone(original), method: alt }, R("bad-signature")), control];
      }
      if (name === "@authority") {
        const alt = pick(["evil.example.com", "api.example.com:8443", "api.example.com.", "127.0.0.2:8787", "api.example.com:80", "xn--pi-8la.example.com", "127.0.0.1", "API.EXAMPLE.COM", "api.example.com:443"], c.b);
        return [hostile("@authority altered", { ...clone(original), url: replaceAuthority(original.url, alt) }, R("bad-signature")), control];
      }
      if (name === "@path") {
        const { prefix, path, rest } = pathOf(original.url);
        const alts = [
          `${path}/`,
          path.toUpperCase(),
          path.replace("/v1/", "/v1/./"),
          `/${path}`,
          path.replace(/\/[^/]*$/, "") || "/",
          `${path}%2F`,
          path.replace("v1", "V1"),
          `${path}%00`,
          `${path}é`,
          path.replace("/v1/", "/v1/../v1/"),
          path.replace("%C3%A9", "%c3%a9"),
          path.replace("/v1/", "/v1%2F"),
        ].filter((p) => p !== path);
        return [hostile("@path altered", { ...clone(original), url: prefix + pick(alts, c.b) + rest }, R("bad-signature", "malformed")), control];
      }
      if (name === "@query") {
        const [before, query] = original.url.split("?") as [string, string];
        const params = query.split("&");
        const alts = [
          `${query}&x=1`,
          params.slice(0, -1).join("&") || "z=1",
          [...params].reverse().join("&"),
          query.replace(/=([^&]*)/, "=$1x"),
          `${query}&`,
          query.replace("=", "%3D"),
          query.replace(/^(\w)/, (m) => m.toUpperCase()),
        ].filter((q) => q !== query);
        return [hostile("@query altered", { ...clone(original), url: `${before}?${pick(alts, c.b)}` }, R("bad-signature", "malformed")), control];
      }
      if (name === "content-digest") {
        const body = Buffer.from(original.body!);
        if (c.b % 2 === 0) {
          body[c.c % body.length]! ^= 1 << (c.a % 8);
          return [hostile("body altered (digest kept)", { ...clone(original), body }, R("digest-mismatch")), control];
        }
        const other = Buffer.concat([body, Buffer.from(" ")]);
        return [hostile("body altered, digest recomputed", { ...setHeader(original, "content-digest", sha256Digest(other)), body: other }, R("bad-signature")), control];
      }
      const alterations: Record<string, [BareItem | undefined, readonly VerifierReason[]]> = {
        created: [created + (c.b % 2 ? 1 : -1) * (1 + (c.b % 5)), R("bad-signature", "future-request", "expired-request")],
        nonce: [`${nonce}.`, R("bad-signature")],
        keyid: [main[pick(otherAlgs(c.alg), c.b)].keyId, R("bad-signature", "unsupported-alg")],
        alg: [undefined, R("bad-signature")],
        expires: [nowSec + 30, R("bad-signature")],
      };
      const [value, reasons] = alterations[name]!;
      return [hostile(`signature parameter ${name} altered`, setHeader(original, "signature-input", withParameter(input, name, value)), reasons), control];
    }

    case "body-truncated-or-oversized": {
      const sub = c.a % 4;
      if (!original.body) {
        const body = randomBytes(1 + (c.b % 1_000));
        const req = sub < 2 ? { ...clone(original), body } : { ...setHeader(original, "content-digest", sha256Digest(body)), body };
        return [hostile(`body added to a bodiless request${sub < 2 ? "" : " (with its Content-Digest)"}`, req, R("malformed")), control];
      }
      const body = original.body;
      if (sub === 0) return [hostile("body truncated", { ...clone(original), body: body.subarray(0, c.b % body.length) }, R("digest-mismatch")), control];
      if (sub === 1) return [hostile("body oversized", { ...clone(original), body: Buffer.concat([body, randomBytes(1 + (c.b % 100_000))]) }, R("digest-mismatch")), control];
      if (sub === 2) return [hostile("body dropped", { ...clone(original), body: undefined }, R("digest-mismatch")), control];
      return [hostile("body replaced (same length)", { ...clone(original), body: body.map((x) => x ^ 1) }, R("digest-mismatch")), control];
    }

    case "digest-mismatch": {
      if (!original.body || !digest) {
        const body = randomBytes(1 + (c.b % 100));
        return [hostile("body and Content-Digest added to a bodiless request", { ...setHeader(original, "content-digest", sha256Digest(body)), body }, R("malformed")), control];
      }
      const body = original.body;
      const variants: [string, string | undefined, readonly VerifierReason[]][] = [
        ["digest of other bytes", sha256Digest(randomBytes(32)), R("digest-mismatch")],
        ["sha-512 of the right body instead of the signed sha-256", sha512Digest(body), R("bad-signature")],
        ["md5 only", `md5=:${Buffer.alloc(16).toString("base64")}:`, R("digest-mismatch")],
        ["sha-256 of the wrong length", `sha-256=:${randomBytes(31).toString("base64")}:`, R("digest-mismatch")],
        ["a wrong sha-512 member appended", `${digest}, sha-512=:${randomBytes(64).toString("base64")}:`, R("digest-mismatch")],
        ["Content-Digest removed", undefined, R("digest-mismatch", "malformed")],
        ["digest not base64", "sha-256=:not*base64:", R("digest-mismatch")],
        ["algorithm in upper case", digest.replace("sha-256", "SHA-256"), R("digest-mismatch")],
        ["a correct sha-512 member appended", `${digest}, ${sha512Digest(body)}`, R("bad-signature")],
        ["padding removed", digest.replace(/=+:$/, ":"), R("bad-signature")],
      ];
      const [attack, value, reasons] = pick(variants, c.b);
      return [hostile(attack, setHeader(original, "content-digest", value), reasons), control];
    }

    case "non-canonical-encoding": {
      const keyid = key.keyId;
      const sub = c.a % 15;
      const param = (attack: string, name: string, value: BareItem, reasons: readonly VerifierReason[]) => [
        hostile(attack, setHeader(original, "signature-input", withParameter(input, name, value)), reasons),
        control,
      ];
      if (sub === 0) return param("keyid in upper-case hex", "keyid", `0x${keyid.slice(2).toUpperCase()}`, R("bad-signature"));
      if (sub === 1) {
        const i = 2 + [...keyid.slice(2)].findIndex((ch) => /[a-f]/.test(ch));
        return param("keyid with one hex letter in upper case", "keyid", keyid.slice(0, i) + keyid[i]!.toUpperCase() + keyid.slice(i + 1), R("bad-signature"));
      }
      // Not the registry's form, so an sf-string name that no resolver knows.
      if (sub === 2) return param("keyid spelled differently", "keyid", pick([`0X${keyid.slice(2)}`, keyid.slice(2), `${keyid}0`, keyid.slice(0, -1), `0x0${keyid.slice(2)}`], c.b), R("unknown-key"));
      if (sub === 3) return param("keyid padded with spaces", "keyid", pick([` ${keyid}`, `${keyid} `], c.b), R("unknown-key"));
      if (sub === 4) {
        const variant = pick([`${created}.0`, `${created}.5`, `"${created}"`, `@${created}`, `${created}0`, `0${created}`, `-${created}`, `+${created}`], c.b);
        return [hostile(`created written as ${variant}`, setHeader(original, "signature-input", input.replace(`created=${created}`, `created=${variant}`))), control];
      }
      if (sub === 5) {
        const variant = pick([new Token(`n${nonce.replace(/[^a-z0-9]/g, "")}`), new TextEncoder().encode(nonce) as Uint8Array<ArrayBuffer>, 12345, true], c.b);
        return param("nonce not a string", "nonce", variant, R("malformed"));
      }
      if (sub === 6) {
        const b64 = Buffer.from(signatureBytes(signature)).toString("base64");
        // 64 bytes: 86 characters + "==", the last carrying 2 bits of data and 4 unused ones.
        const last = b64[85]!;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const sibling = alphabet[(alphabet.indexOf(last) & 0b110000) | (1 + (c.b % 15))]!;
        const variant = pick([`sig=:${b64.replace(/=+$/, "")}:`, `sig=:${b64.slice(0, 85)}${sibling}==:`], c.b);
        return [hostile("Signature base64 re-encoded (same bytes)", setHeader(original, "signature", variant)), control];
      }
      if (sub === 7) {
        const b64 = Buffer.from(signatureBytes(signature)).toString("base64");
        const url = /[+/]/.test(b64) ? b64.replace(/\+/g, "-").replace(/\//g, "_") : `-${b64.slice(1)}`;
        return [hostile("Signature in base64url", setHeader(original, "signature", `sig=:${url}:`), R("malformed")), control];
      }
      if (sub === 8) {
        const { prefix, path, rest } = pathOf(original.url);
        const alt = pick([path.replace("v1", "v１"), path.replace(/\/(\w)/, "/é"), path.replace("/v1/", "/v1∕"), `${path}\u200b`, path.replace("/", "／")], c.b);
        return [hostile("unicode in the path", { ...clone(original), url: prefix + alt + rest }, R("malformed")), control];
      }
      if (sub === 9) {
        const sep = original.url.includes("?") ? "&" : "?";
        return [hostile("unicode in the query", { ...clone(original), url: `${original.url}${sep}q=${pick(["é", "日本", "\u202e", "😀"], c.b)}` }, R("malformed")), control];
      }
      if (sub === 10) {
        const variant = input.replace(`nonce="${nonce}"`, `nonce="${nonce}${pick(["é", "\u00a0", "ß"], c.b)}"`);
        return [hostile("unicode in Signature-Input", setHeader(original, "signature-input", variant), R("malformed")), control];
      }
      if (sub === 11) {
        const { prefix } = pathOf(original.url);
        const authority = prefix.replace(/^\w+:\/\//, "");
        const alt = pick([authority.toUpperCase(), authority.includes(":") ? authority : `${authority}:${original.url.startsWith("https") ? 443 : 80}`], c.b);
        return [hostile("host in upper case / default port spelled out", { ...clone(original), url: replaceAuthority(original.url, alt) }), control];
      }
      if (sub === 12) {
        return [hostile("header names in upper case", { ...clone(original), headers: original.headers.map(([n, val]) => [n.toUpperCase(), val]) }), control];
      }
      if (sub === 13) {
        const { prefix, path, rest } = pathOf(original.url);
        const alt = path.includes("%C3%A9") ? path.replace("%C3%A9", "%c3%a9") : path.replace(/\/(\w)/, (_, ch: string) => `/%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
        return [hostile("path percent-encoded differently", { ...clone(original), url: prefix + alt + rest }, R("bad-signature")), control];
      }
      return [hostile("internationalised host", { ...clone(original), url: replaceAuthority(original.url, pick(["api.exämple.com", "аpi.example.com", "api.example.com\u3002"], c.b)) }, R("malformed")), control];
    }

    case "timestamp-window-edge": {
      const inst = c.instance % 2 === 0 ? memory : strict;
      const M = inst.maxAge * 1000;
      const S = inst.skew * 1000;
      const minCreated = Math.ceil((nowMs - M - S) / 1000);
      const maxCreated = Math.floor((nowMs + S) / 1000);
      const minExpires = Math.ceil((nowMs - S) / 1000);
      const k = c.b % 1_000;
      const n = () => `${nonce}-${++serial}`;
      const on = (role: Role, attack: string, req: Req, reasons?: readonly VerifierReason[], extra: Partial<Step> = {}): Step => ({
        role,
        attack,
        req,
        v: inst.v,
        expect: reasons,
        ...extra,
      });
      const sub = c.a % 6;
      if (sub === 0) {
        return [
          on("boundary", "created exactly maxAge + skew ago", await signStandard(base, { key, created: minCreated, nonce: n() })),
          on("hostile", "created before maxAge + skew", await signStandard(base, { key, created: minCreated - 1 - k, nonce: n() }), R("expired-request")),
        ];
      }
      if (sub === 1) {
        return [
          on("boundary", "created exactly skew ahead", await signStandard(base, { key, created: maxCreated, nonce: n() })),
          on("hostile", "created beyond the skew", await signStandard(base, { key, created: maxCreated + 1 + k, nonce: n() }), R("future-request")),
        ];
      }
      if (sub === 2) {
        return [
          on("boundary", "expires exactly skew ago", await signStandard(base, { key, created: minCreated, expires: minExpires, nonce: n() })),
          on("hostile", "expires passed", await signStandard(base, { key, created: minExpires - 1 - k, expires: minExpires - 1 - (k >> 1), nonce: n() }), R("expired-request")),
        ];
      }
      const nowFloor = Math.floor(nowMs / 1000);
      const windowed = (attack: string, role: Role, window: typeof windowOverride, reasons?: readonly VerifierReason[]) =>
        signStandard(base, { key: windowKey, created: nowFloor, nonce: n() }).then((req) =>
          on(role, attack, req, reasons, { before: () => (windowOverride = window), after: () => (windowOverride = {}) }),
        );
      if (sub === 3) {
        return [
          await windowed("key valid from this second", "boundary", { notBefore: nowFloor }),
          await windowed("key not valid yet", "hostile", { notBefore: nowFloor + 1 + k }, R("key-not-yet-valid")),
        ];
      }
      if (sub === 4) {
        return [
          await windowed("key expires next second", "boundary", { expiresAt: nowFloor + 1 }),
          await windowed("key expired", "hostile", { expiresAt: nowFloor - k }, R("key-expired")),
        ];
      }
      const raw: [string, BareItem, readonly VerifierReason[]][] = [
        ["created at the largest structured integer", 999_999_999_999_999, R("future-request")],
        ["created 0", 0, R("expired-request")],
        ["created negative", -1, R("malformed")],
        ["created a decimal", created + 0.5, R("malformed")],
        ["created a date item", new Date(created * 1000), R("malformed")],
        ["expires before created, both passed", created, R("expired-request")],
      ];
      const [attack, value, reasons] = pick(raw, c.b);
      const params = attack.startsWith("expires")
        ? stdParams({ created: minExpires - 10, expires: minExpires - 11 })
        : stdParams({ created: value });
      return [
        on("hostile", attack, await signRaw(base, { key, components, parameters: params }), reasons),
        on("boundary", "created this second", await signStandard(base, { key, created: Math.floor(nowMs / 1000), nonce: n() })),
      ];
    }

    case "replay-same-instance": {
      const b64 = Buffer.from(signatureBytes(signature)).toString("base64");
      const variants: [string, () => Req, Partial<Step>?][] = [
        ["identical", () => clone(original)],
        ["header lines reversed", () => ({ ...clone(original), headers: [...original.headers].reverse() })],
        ["header names in upper case", () => ({ ...clone(original), headers: original.headers.map(([n, val]) => [n.toUpperCase(), val]) })],
        ["Signature-Input with extra whitespace", () => setHeader(original, "signature-input", input.replace(/" "/g, '"   "').replace(/;/g, "; "))],
        ["Signature base64 without padding", () => setHeader(original, "signature", `sig=:${b64.replace(/=+$/, "")}:`)],
        ["label renamed in both fields", () => setHeader(setHeader(original, "signature-input", input.replace(/^sig=/, "again=")), "signature", signature.replace(/^sig=/, "again="))],
        ["Signature-Input line repeated", () => addHeader(original, "Signature-Input", input)],
        [
          "ECDSA signature malleated to (r, n - s)",
          () => {
            const other = malleate(signatureBytes(signature), key.alg);
            return other ? setHeader(original, "signature", signatureField(other)) : clone(original);
          },
        ],
        ["20 s later, inside the window", () => clone(original), { before: () => (nowMs += (1 + (c.b % 20)) * 1000), after: () => (nowMs = T * 1000 + c.ms) }],
        ["unrelated headers added", () => addHeader(addHeader(original, "x-forwarded-for", "10.0.0.1"), "cache-control", "no-cache")],
        ["fragment added to the URL", () => ({ ...clone(original), url: `${original.url}#again` })],
      ];
      const [attack, make, extra] = pick(variants, c.b);
      const steps: Step[] = [control, { role: "hostile", attack: `replay: ${attack}`, req: make(), v, expect: replayOnly, ...extra }];
      if (c.a % 3 === 0) {
        // Once the window has passed, the replay is refused for its age (the nonce may be forgotten by then).
        steps.push({
          role: "hostile",
          attack: "replay after the window",
          req: clone(original),
          v,
          expect: R("expired-request"),
          before: () => (nowMs = (created + target.maxAge + target.skew) * 1000 + 1 + (c.c % 100_000)),
          after: () => (nowMs = T * 1000 + c.ms),
        });
      }
      return steps;
    }

    case "replay-across-instances": {
      if (!redisA || !redisB) return stepsFor({ ...c, category: "replay-same-instance" });
      stats.redisCases++;
      const A = redisA.v;
      const B = redisB.v;
      const sub = c.a % 4;
      if (sub === 0) return [{ ...control, v: A }, { role: "hostile", attack: "replay sent to the other instance", req: clone(original), v: B, expect: replayOnly }];
      if (sub === 1) return [{ role: "race", attack: "the same request sent to both instances at once", req: original, v: A, v2: B }];
      if (sub === 2) {
        const forged = setHeader(original, "signature", signatureField(flipBits(signatureBytes(signature), c.b, c.c)));
        return [
          { role: "hostile", attack: "forged copy sent to the other instance first", req: forged, v: B, expect: R("bad-signature") },
          { ...control, v: A },
          { role: "hostile", attack: "replay sent to the other instance", req: clone(original), v: B, expect: replayOnly },
        ];
      }
      const variant = { ...clone(original), headers: original.headers.map(([n, val]) => [n.toUpperCase(), val] as [string, string]).reverse() };
      return [{ ...control, v: B }, { role: "hostile", attack: "re-ordered replay sent to the other instance", req: variant, v: A, expect: replayOnly }];
    }

    case "wrong-or-unusable-key": {
      const sub = c.a % 6;
      const own = (k: KeyFile) => signStandard(base, { key: k, created, nonce: `${nonce}-k` });
      if (sub === 0) return [hostile("key not registered", await own(imposter[c.alg]), R("unknown-key")), control];
      if (sub === 1) return [hostile("revoked key", await own(revoked), R("key-revoked")), control];
      if (sub === 2) return [hostile("suspended key", await own(suspended), R("key-suspended")), control];
      if (sub === 3) return [hostile("key without the route's scope", await own(noScope), R("insufficient-scope"), { options: { requiredScopes: ["read"] } }), control];
      if (sub === 4) return [hostile("scope the key does not hold", clone(original), R("insufficient-scope"), { options: { requiredScopes: ["read", "admin"] } }), control];
      const randomId = `0x${Buffer.from(c.bytes).toString("hex").padEnd(64, "0").slice(0, 64)}`;
      const req = await signRaw(original, { key: imposter[c.alg], components, parameters: stdParams({ keyid: randomId }) });
      return [hostile("random key id", req, R("unknown-key")), control];
    }

    case "signature-input-suffix": {
      // Text appended after a Signature-Input the verifier has already seen verify:
      // the signer's usual prefix, then parameters that override it, or stray text.
      const other = main[pick(otherAlgs(c.alg), c.b)];
      const suffixes: [string, readonly VerifierReason[]][] = [
        [`;alg="${other.alg}"`, R("unsupported-alg")],
        [`;keyid="${other.keyId}"`, R("bad-signature", "unsupported-alg")],
        [`;created=${created - 1}`, R("bad-signature")],
        [`;nonce="${nonce}-2"`, R("bad-signature")],
        [";expires=1", R("expired-request")],
        [`;keyid="${key.keyId}";alg="${key.alg}"`, R("bad-signature")],
        ["\t;x=1", R("malformed")],
        ["garbage", R("malformed")],
        [";", R("malformed")],
        [";=1", R("malformed")],
        [";UPPER=1", R("malformed")],
        [`;nonce="${nonce}"x`, R("malformed")],
        [";x=1", R("bad-signature")],
      ];
      const [suffix, reasons] = pick(suffixes, c.b);
      // The same signer's request first, so that its prefix is remembered.
      const warm = await signStandard(base, { key, created, nonce: `${nonce}-warm` });
      return [
        { role: "control", attack: "the signer's previous request", req: warm, v },
        hostile(`Signature-Input followed by ${JSON.stringify(suffix)}`, setHeader(original, "signature-input", `${input}${suffix}`), reasons),
        control,
      ];
    }

    case "coverage-and-parameters": {
      const sub = c.a % 14;
      const raw = (comps: (string | [string, Map<string, BareItem>])[], params = stdParams()) => signRaw(original, { key, components: comps, parameters: params });
      if (sub === 0) {
        const dropped = pick(components, c.b);
        return [hostile(`${dropped} not covered`, await raw(components.filter((n) => n !== dropped)), R("malformed")), control];
      }
      if (sub === 1) return [hostile("@signature-params covered", await raw([...components, "@signature-params"]), R("malformed")), control];
      if (sub === 2) return [hostile("a component covered twice", await raw([...components, pick(components, c.b)]), R("malformed")), control];
      if (sub === 3) {
        const odd = pick(["@foo", "Content-Type", "@status", "@query-param", "@METHOD", ""], c.b);
        return [hostile(`unsupported component ${JSON.stringify(odd)}`, await raw([...components, odd]), R("malformed")), control];
      }
      if (sub === 4) return [hostile("no nonce", await raw(components, stdParams({ nonce: undefined })), R("missing-nonce")), control];
      if (sub === 5) {
        const missing = pick(["created", "keyid"], c.b);
        return [hostile(`no ${missing}`, await raw(components, stdParams({ [missing]: undefined })), R("malformed")), control];
      }
      if (sub === 6) {
        const which = pick(["signature", "signature-input", "both"], c.b);
        let req = clone(original);
        if (which !== "signature-input") req = setHeader(req, "signature", undefined);
        if (which !== "signature") req = setHeader(req, "signature-input", undefined);
        return [hostile(`${which === "both" ? "Signature and Signature-Input" : which} removed`, req, R("missing-signature")), control];
      }
      if (sub === 7) return [hostile("an absent field covered", await raw([...components, "x-absent"]), R("malformed")), control];
      if (sub === 8) {
        const [name, value] = pick(
          [
            ["signature-input", "sig=?1"],
            ["signature", 'sig="abc"'],
            ["signature", "sig=(:AAAA:)"],
          ] as const,
          c.b,
        );
        return [hostile(`${name} member of the wrong type`, setHeader(original, name, value), R("malformed")), control];
      }
      if (sub === 10) {
        // Parsed, `1767225600.0` is the integer-valued number the signer signed; RFC 9421 allows integers only.
        const decimal = input.replace(/;created=(\d+)/, pick([";created=$1.0", ";created=$1.000", "; created=$1.0"], c.b));
        return [hostile("created written as a decimal", setHeader(original, "signature-input", decimal), R("malformed"), { role: "hostile" }), control];
      }
      if (sub === 11) {
        // CPU amplification: many `;key=` components must be refused before any field is read.
        const many = Array.from({ length: 33 + (c.b % 300) }, (_, i): [string, Map<string, BareItem>] => ["x-dict", new Map([["key", `k${i}`]])]);
        const req = setHeader(await raw([...components, ...many]), "x-dict", Array.from({ length: 40 }, (_, i) => `k${i}=${i}`).join(", "));
        return [hostile(`${many.length} ;key= components`, req, R("malformed")), control];
      }
      if (sub === 12) {
        const long = "k".repeat(257 + (c.b % 100));
        return [hostile("keyid longer than 256 characters", await raw(components, stdParams({ keyid: long })), R("malformed")), control];
      }
      if (sub === 13) {
        // Any sf-string keyid is accepted as a name, so an unknown one is refused as unknown.
        const name = pick(["test-key-ed25519", "0x12", " ", "key\\with\"quote"], c.b);
        return [hostile(`keyid ${JSON.stringify(name)} not in the registry`, await raw(components, stdParams({ keyid: name })), R("unknown-key")), control];
      }
      return [hostile("labels of Signature-Input and Signature differ", setHeader(original, "signature", signature.replace(/^sig=/, "other=")), R("missing-signature")), control];
    }
  }
}

// ---------------------------------------------------------------------------
// Running and judging

function fail(message: string): never {
  stats.failures.push(message);
  throw new Error(message);
}

async function judge(v: Verifier, req: Req, options?: VerifyOptions): Promise<VerifyResult | undefined> {
  try {
    return await v.verify(toVerifyInput(req), options);
  } catch (error) {
    stats.crashed++;
    return fail(`verify threw: ${(error as Error)?.stack ?? String(error)}`);
  }
}

async function runSteps(category: string, steps: Step[]): Promise<void> {
  let consumed = false;
  for (const step of steps) {
    step.before?.();
    try {
      if (step.role === "race") {
        const results = await Promise.all([judge(step.v, step.req), judge(step.v2!, step.req)]);
        const accepted = results.filter((r) => r?.ok).length;
        const other = results.find((r) => !r?.ok) as Extract<VerifyResult, { ok: false }> | undefined;
        stats.controls++;
        stats.hostile++;
        bump(stats.byCategory, category);
        if (other) bump(stats.byReason, other.reason);
        if (accepted !== 1 || other?.reason !== "replayed-nonce") {
          if (accepted > 1) stats.accepted++;
          fail(`${category}: ${step.attack}: ${JSON.stringify(results)}`);
        }
        continue;
      }
      const result = await judge(step.v, step.req, step.options);
      if (!result) continue;
      if (step.role === "equivalent") {
        stats.equivalent++;
        if (result.ok) {
          stats.equivalentAccepted++;
          consumed = true;
        }
        continue;
      }
      if (step.role === "control" || step.role === "boundary") {
        // An accepted re-encoding of the original used its nonce: then the original is a replay.
        const wanted = step.role === "control" && consumed ? "replayed-nonce" : "accepted";
        const got = result.ok ? "accepted" : result.reason;
        if (got !== wanted) fail(`${category}: ${step.attack} should be ${wanted}, got ${got}: ${"message" in result ? result.message : ""}`);
        if (step.role === "control") stats.controls++;
        else stats.boundary++;
        continue;
      }
      stats.hostile++;
      bump(stats.byCategory, category);
      if (result.ok) {
        stats.accepted++;
        fail(`${category}: ${step.attack}: ACCEPTED ${JSON.stringify(toVerifyInput(step.req)).slice(0, 2_000)}`);
      }
      bump(stats.byReason, result.reason);
      if (step.expect && !step.expect.includes(result.reason)) {
        stats.wrongReason++;
        fail(`${category}: ${step.attack}: expected ${step.expect.join(" | ")}, got ${result.reason} (${result.message})`);
      }
    } finally {
      step.after?.();
    }
  }
}

describe("hostile requests against the verifier", () => {
  it(`rejects every attack with the right reason and never throws (${count(runs)} cases)`, { timeout: Math.max(120_000, runs * 20) }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: caseArb, weight: 12 }, { arbitrary: garbageArb, weight: 1 }), async (c) => {
        if ("category" in c) {
          await runSteps(c.category, await stepsFor(c));
          return;
        }
        nowMs = T * 1000;
        const result = await judge(pick([memory, sync], c.method.length).v, { method: c.method, url: c.url, headers: c.headers, body: c.body ?? undefined } as never);
        stats.hostile++;
        bump(stats.byCategory, "random-garbage");
        if (!result) return;
        if (result.ok) {
          stats.accepted++;
          fail(`random garbage accepted: ${JSON.stringify(c)}`);
        }
        bump(stats.byReason, result.reason);
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
    expect({ accepted: stats.accepted, crashed: stats.crashed, wrongReason: stats.wrongReason }).toEqual({ accepted: 0, crashed: 0, wrongReason: 0 });
    // A few cases are meaning-preserving re-encodings only, not counted as hostile.
    expect(stats.hostile).toBeGreaterThan(runs * 0.9);
  });
});

// ---------------------------------------------------------------------------
// The same through the reference server's Node adapter, with raw sockets: what a
// client library would never send (two Hosts, smuggling, absolute-form targets).

describe("hostile HTTP requests against the reference server and the Express middleware", () => {
  let api: ApiServer;
  let app: Server;
  let verifier: Verifier;
  let key: KeyFile;
  let targets: { name: string; url: string }[];

  beforeAll(async () => {
    key = await generateKey({ label: "http" });
    verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: ["read", "trade"] } }) });
    api = await createApiServer({ verifier });
    // The Express adapter, with the same body limit as the reference server.
    const routes = express();
    routes.use(keyledger({ verifier, limit: 65_536 }));
    routes.all("/{*rest}", (req, res) => void res.status(req.method === "POST" ? 201 : 200).json({ ok: true }));
    app = await new Promise<Server>((resolve) => {
      const server = routes.listen(0, "127.0.0.1", () => resolve(server));
    });
    targets = [
      { name: "reference server", url: api.url },
      { name: "express", url: `http://127.0.0.1:${(app.address() as AddressInfo).port}` },
    ];
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
    await verifier?.close();
  });

  type Wire = { head: string; lines: [string, string][]; body?: Buffer | undefined };
  type Answer = { status: number; error?: string | undefined };

  function send(wire: Wire, url: string): Promise<Answer> {
    const { port } = new URL(url);
    const text = `${wire.head}\r\n${wire.lines.map(([n, val]) => `${n}: ${val}`).join("\r\n")}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      // No half-close: Node's server drops a request whose client shut its side early. Every
      // request says "Connection: close", so the server closes once it has answered.
      const socket = connect(Number(port), "127.0.0.1", () => socket.write(wire.body ? Buffer.concat([Buffer.from(text, "latin1"), wire.body]) : Buffer.from(text, "latin1")));
      const chunks: Buffer[] = [];
      socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
      socket.on("data", (d) => chunks.push(d));
      socket.once("error", reject);
      socket.once("close", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
        if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
        let error: string | undefined;
        try {
          error = (JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as { error?: string }).error;
        } catch {}
        resolve({ status, error });
      });
    });
  }

  function toWire(req: Req, authority: string, { host = [authority] as string[], target }: { host?: string[]; target?: string } = {}): Wire {
    const url = new URL(req.url);
    const lines: [string, string][] = [...host.map((h) => ["Host", h] as [string, string]), ...req.headers, ["Connection", "close"]];
    if (req.body) lines.push(["Content-Length", String(req.body.length)]);
    return { head: `${req.method} ${target ?? url.pathname + url.search} HTTP/1.1`, lines, body: req.body ? Buffer.from(req.body) : undefined };
  }

  it(`never answers 2xx to a hostile request on the wire (${count(httpRuns)} cases)`, { timeout: Math.max(60_000, httpRuns * 200) }, async () => {
    let n = 0;
    let target = targets[0]!;
    const judgeHttp = async (attack: string, wire: Wire, expectStatus: readonly number[], reasons?: readonly string[]) => {
      let answer: Answer;
      try {
        answer = await send(wire, target.url);
      } catch (error) {
        stats.http.crashed++;
        return fail(`http ${attack}: ${(error as Error).message}`);
      }
      stats.http.hostile++;
      bump(stats.http.byStatus, `${answer.status}${answer.error ? ` ${answer.error}` : ""}`);
      if (answer.status >= 200 && answer.status < 300) {
        stats.http.accepted++;
        fail(`http (${target.name}) ${attack}: answered ${answer.status}`);
      }
      if (!expectStatus.includes(answer.status) || (reasons && !reasons.includes(answer.error ?? ""))) {
        fail(`http (${target.name}) ${attack}: expected ${expectStatus.join("|")} ${reasons?.join("|") ?? ""}, got ${answer.status} ${answer.error ?? ""}`);
      }
    };
    const control = async (wire: Wire) => {
      const answer = await send(wire, target.url);
      if (answer.status !== 200 && answer.status !== 201) fail(`http control answered ${answer.status} ${answer.error ?? ""}`);
      stats.http.controls++;
    };

    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 12 }), fc.boolean(), fc.nat(), fc.nat({ max: 1 }), async (sub, usePost, r, which) => {
        target = targets[which]!;
        const authority = new URL(target.url).host;
        const post = { method: "POST", url: `${target.url}/v1/orders`, headers: [["content-type", "application/json"]] as [string, string][], body: new TextEncoder().encode('{"symbol":"ETH-USD","side":"buy","qty":1}') };
        const get = { method: "GET", url: `${target.url}/v1/prices?pair=ETH-USD`, headers: [] as [string, string][] };
        const signed = await signStandard(usePost ? post : get, { key, created: Math.floor(Date.now() / 1000), nonce: `h${++n}-${r}` });
        const wire = toWire(signed, authority);
        switch (sub) {
          case 0:
            await judgeHttp("Host twice (same value)", toWire(signed, authority, { host: [authority, authority] }), [401], ["malformed"]);
            break;
          case 1:
            await judgeHttp("Host twice (signed one first)", toWire(signed, authority, { host: [authority, "evil.example.com"] }), [401], ["malformed"]);
            break;
          case 2:
            await judgeHttp("Host twice (signed one second)", toWire(signed, authority, { host: ["evil.example.com", authority] }), [401], ["malformed"]);
            break;
          case 3:
            await judgeHttp("Signature-Input twice (second altered)", { ...wire, lines: [...wire.lines, ["Signature-Input", withParameter(header(signed, "signature-input")!, "nonce", "evil")]] }, [401]);
            break;
          case 4: {
            const digest = header(signed, "content-digest");
            const extra: [string, string] = digest ? ["Content-Digest", digest] : ["Signature", signatureField(randomBytes(64))];
            await judgeHttp(`${extra[0]} twice`, { ...wire, lines: [...wire.lines, extra] }, [401], ["bad-signature"]);
            break;
          }
          case 5:
            await judgeHttp("header section over 16 KiB", { ...wire, lines: [...wire.lines, ["X-Huge", "h".repeat(20_000 + (r % 50_000))]] }, [431]);
            break;
          case 6:
            await judgeHttp("absolute-form target naming another host", toWire(signed, authority, { target: `http://evil.example.com${new URL(signed.url).pathname}${new URL(signed.url).search}` }), [401, 404]);
            break;
          case 7:
            await judgeHttp("Host with a path", toWire(signed, authority, { host: [`${authority}/v1`] }), [401], ["malformed"]);
            break;
          case 8: {
            const smuggled = { ...wire, lines: [...wire.lines.filter(([name]) => name !== "Content-Length"), ["Content-Length", "4"], ["Transfer-Encoding", "chunked"]] as [string, string][], body: Buffer.from("0\r\n\r\nGET /v1/prices HTTP/1.1\r\nHost: x\r\n\r\n") };
            await judgeHttp("Content-Length with Transfer-Encoding (smuggling)", smuggled, [400]);
            break;
          }
          case 9:
            await control(wire);
            await judgeHttp("replay on the wire", wire, [401], ["replayed-nonce"]);
            break;
          case 10: {
            const body = Buffer.alloc(70_000, 0x20);
            const big = await signStandard({ ...post, body }, { key, created: Math.floor(Date.now() / 1000), nonce: `big${n}` });
            await judgeHttp("body over the server's limit", toWire(big, authority), [413]);
            break;
          }
          case 11:
            await judgeHttp("no Host (HTTP/1.0)", { ...wire, head: wire.head.replace("HTTP/1.1", "HTTP/1.0"), lines: wire.lines.filter(([name]) => name !== "Host") }, [401], ["malformed"]);
            break;
          default:
            await judgeHttp("two different Content-Length headers", { ...wire, lines: [...wire.lines, ["Content-Length", "1"], ["Content-Length", "2"]] }, [400]);
        }
        if (sub !== 9) await control(wire);
      }),
      { numRuns: httpRuns, seed, endOnFailure: true },
    );
    expect({ accepted: stats.http.accepted, crashed: stats.http.crashed }).toEqual({ accepted: 0, crashed: 0 });
  });
});
