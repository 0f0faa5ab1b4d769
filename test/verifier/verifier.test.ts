import { afterAll, describe, expect, it } from "vitest";
import { algorithms, type KeyFile } from "../../src/keys/index.ts";
import { memoryNonceStore } from "../../src/nonces/memoryNonceStore.ts";
import { signRequest } from "../../src/signer/index.ts";
import {
  createVerifier,
  InvalidVerifierOptionError,
  InvalidVerifyInputError,
  type KeyResolver,
  VerifierDependencyError,
  staticKeyResolver,
  type VerifierReason,
  verifierReasonList,
  verifierReasons,
  type VerifyResult,
} from "../../src/verifier/index.ts";
import { keyOf, NOW, type Plain, sha256Digest, signCustom, T, verifierFor } from "./helpers.ts";

const seen = new Set<VerifierReason>();
function expectReason(result: VerifyResult, reason: VerifierReason) {
  expect(result.ok ? "ok" : result.reason, result.ok ? "accepted" : result.message).toBe(reason);
  seen.add(reason);
}
function expectOk(result: VerifyResult) {
  expect(result.ok ? "ok" : `${result.reason}: ${result.message}`).toBe("ok");
}

const get: Plain = { method: "GET", url: "https://api.example.com/v1/prices?pair=ETH-USD", headers: { accept: "application/json" } };
const post: Plain = {
  method: "POST",
  url: "https://api.example.com/v1/orders?venue=main",
  headers: { "content-type": "application/json" },
  body: '{"pair":"ETH-USD","side":"buy","amount":"1.5"}',
};

const ed = await keyOf("ed25519", "trading-bot");
const p256 = await keyOf("ecdsa-p256-sha256");
const k1 = await keyOf("ecdsa-secp256k1-sha256");
const other = await keyOf("ed25519");
const owner = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as const;

const sign = (request: Plain, key: KeyFile = ed, options: Partial<Parameters<typeof signRequest>[1]> = {}) =>
  signRequest(request, { key, created: T, ...options }) as Promise<Plain>;

function standard(options: Parameters<typeof verifierFor>[1] = {}) {
  return verifierFor(
    {
      ed: { key: ed, scopes: ["read", "trade"], owner, label: "trading-bot", version: 2 },
      p256: { key: p256, scopes: ["read"] },
      k1: { key: k1, scopes: ["read"] },
    },
    options,
  );
}

describe("verify: accepted requests", () => {
  for (const [alg, key] of [["ed25519", ed], ["ecdsa-p256-sha256", p256], ["ecdsa-secp256k1-sha256", k1]] as const) {
    it(`${alg}: a signed GET with a query and a signed POST with a body`, async () => {
      const v = standard();
      expectOk(await v.verify(await sign(get, key)));
      expectOk(await v.verify(await sign(post, key)));
    });
  }

  it("the verdict is exactly { ok, keyId, owner, label, version, scopes, alg, expiresAt }", async () => {
    const result = await standard().verify(await sign(post), { requiredScopes: ["trade"] });
    expect(result).toEqual({ ok: true, keyId: ed.keyId, owner, label: "trading-bot", version: 2, scopes: ["read", "trade"], alg: "ed25519", expiresAt: undefined });
    expect(Object.keys(result).sort()).toEqual(["alg", "expiresAt", "keyId", "label", "ok", "owner", "scopes", "version"]);
  });

  it("accepts WHATWG Request, Headers, header records and [name, value] pairs alike", async () => {
    const signed = await sign(post);
    const v = standard({ nonces: memoryNonceStore({ now: () => NOW }) });
    const request = new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body });
    expectOk(await v.verify(request));
    // The body is read from a clone: the caller can still read it.
    expect(await request.text()).toBe(post.body);
    const again = await sign(post);
    expectOk(await standard().verify({ ...again, headers: new Headers(again.headers) }));
    const pairs = await sign(post);
    expectOk(await standard().verify({ ...pairs, headers: Object.entries(pairs.headers) }));
    const bytes = await sign(post);
    expectOk(await standard().verify({ ...bytes, body: new TextEncoder().encode(bytes.body) }));
  });

  it("accepts a sha-512 Content-Digest and a request with several digests that all match", async () => {
    const v = standard();
    expectOk(await v.verify(await sign(post, ed, { digest: "sha-512" })));
    const signed = await signCustom({
      key: ed,
      request: { ...post, headers: { ...post.headers, "content-digest": `${sha256Digest(post.body!)}, md5=:AAAAAAAAAAAAAAAAAAAAAA==:` } },
      components: ["@method", "@authority", "@path", "@query", "content-digest"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n-multi"]],
    });
    expectOk(await v.verify(signed));
  });

  it("accepts the keyid in upper-case hex and any label", async () => {
    const signed = await signCustom({
      key: ed,
      request: get,
      label: "keyledger-1",
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", `0x${ed.keyId.slice(2).toUpperCase()}`], ["created", T], ["nonce", "upper"]],
    });
    expectOk(await standard().verify(signed));
  });

  it("a request without a body or query needs only @method, @authority and @path", async () => {
    const signed = await signCustom({
      key: ed,
      request: { method: "GET", url: "https://api.example.com/v1/status", headers: {} },
      components: ["@method", "@authority", "@path"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n1"]],
    });
    expectOk(await standard().verify(signed));
  });

  it("verifies identically on the thread pool and synchronously", async () => {
    for (const threadPool of [true, false]) {
      const v = standard({ threadPool });
      expectOk(await v.verify(await sign(post)));
      const tampered = await sign(post);
      expectReason(await v.verify({ ...tampered, method: "PUT" }), "bad-signature");
    }
  });

  it("requireNonce: false accepts a signature without nonce; requiredComponents can ask for more", async () => {
    const noNonce = await signCustom({
      key: ed,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T]],
    });
    expectOk(await standard({ requireNonce: false }).verify(noNonce));
    const v = standard({ requiredComponents: ["@method", "@authority", "@path", "@query", "content-digest", "content-type"] });
    expectReason(await v.verify(await sign(post)), "malformed");
    expectOk(await v.verify(await sign(post, ed, { components: ["@method", "@authority", "@path", "@query", "content-digest", "content-type"] })));
  });
});

describe("verify: every rejection reason", () => {
  it("missing-signature", async () => {
    const v = standard();
    expectReason(await v.verify(get), "missing-signature");
    const signed = await sign(get);
    const { signature: _, ...onlyInput } = signed.headers;
    expectReason(await v.verify({ ...signed, headers: onlyInput }), "missing-signature");
    // A Signature-Input member whose label has no Signature member.
    expectReason(await v.verify({ ...signed, headers: { ...signed.headers, signature: signed.headers.signature!.replace("sig=", "other=") } }), "missing-signature");
  });

  it("malformed: broken structured fields, bad keyid, missing created, non-byte-sequence signature", async () => {
    const v = standard();
    const signed = await sign(get);
    const withInput = (input: string) => ({ ...signed, headers: { ...signed.headers, "signature-input": input } });
    expectReason(await v.verify(withInput('sig=("@method" "@authority"')), "malformed");
    // keyid must be an sf-string (a token is not), of at most 256 characters.
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query");keyid=tok;created=${Math.floor(Date.now() / 1000)};nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query");keyid="${"k".repeat(257)}";created=${Math.floor(Date.now() / 1000)};nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query");keyid="${ed.keyId}";nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query");keyid="${ed.keyId}";created=1.5;nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig="not an inner list"`)), "malformed");
    expectReason(await v.verify({ ...signed, headers: { ...signed.headers, signature: 'sig="abc"' } }), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query" "@method");keyid="${ed.keyId}";created=${T};nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query" "@unknown");keyid="${ed.keyId}";created=${T};nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query" "x-absent");keyid="${ed.keyId}";created=${T};nonce="a"`)), "malformed");
    expectReason(await v.verify(withInput(`sig=("@method" "@authority" "@path" "@query" "Accept");keyid="${ed.keyId}";created=${T};nonce="a"`)), "malformed");
    expectReason(await v.verify({ ...signed, url: "/v1/prices?pair=ETH-USD" }), "malformed");
    expectReason(await v.verify({ ...signed, url: "https://user@api.example.com/v1/prices?pair=ETH-USD" }), "malformed");
    expectReason(await v.verify({ ...signed, method: "GET /x" }), "malformed");
    expectReason(await v.verify(null as never), "malformed");
  });

  it("malformed: the signature does not cover what the profile requires", async () => {
    const v = standard();
    for (const components of [["@method", "@path", "@query"], ["@method", "@authority", "@query"], ["@authority", "@path", "@query"], ["@method", "@authority", "@path"]]) {
      const signed = await signCustom({ key: ed, request: get, components, params: [["keyid", ed.keyId], ["created", T], ["nonce", "n"]] });
      expectReason(await v.verify(signed), "malformed");
    }
    // A body not covered by content-digest.
    const signed = await signCustom({
      key: ed,
      request: post,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n"]],
    });
    expectReason(await v.verify(signed), "malformed");
  });

  it("unsupported-alg: an alg outside the profile, and an alg other than the key's (no algorithm confusion)", async () => {
    const v = standard();
    const foreign = await signCustom({
      key: ed,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["alg", "hmac-sha256"], ["created", T], ["nonce", "n"]],
    });
    expectReason(await v.verify(foreign), "unsupported-alg");
    // Validly signed by the Ed25519 key, but claiming ECDSA: refused, never tried with another algorithm.
    const confused = await signCustom({
      key: ed,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["alg", "ecdsa-p256-sha256"], ["created", T], ["nonce", "n"]],
    });
    expectReason(await v.verify(confused), "unsupported-alg");
    // A P-256 signature presented under an Ed25519 key id fails as a signature.
    const swapped = await signCustom({
      key: p256,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n2"]],
    });
    expectReason(await v.verify(swapped), "bad-signature");
  });

  it("unknown-key", async () => {
    expectReason(await standard().verify(await sign(get, other)), "unknown-key");
  });

  it("bad-signature: a flipped bit, another key's signature, a truncated signature", async () => {
    const v = standard();
    const signed = await sign(get);
    const bytes = Buffer.from(signed.headers.signature!.slice(5, -1), "base64");
    bytes[10]! ^= 0x01;
    expectReason(await v.verify({ ...signed, headers: { ...signed.headers, signature: `sig=:${bytes.toString("base64")}:` } }), "bad-signature");
    expectReason(await v.verify({ ...signed, headers: { ...signed.headers, signature: `sig=:${bytes.subarray(0, 63).toString("base64")}:` } }), "bad-signature");
    const forged = await signCustom({
      key: other,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "forged"]],
    });
    expectReason(await v.verify(forged), "bad-signature");
  });

  it("digest-mismatch: a changed body, a Content-Digest without sha-256/sha-512", async () => {
    const v = standard();
    const signed = await sign(post);
    expectReason(await v.verify({ ...signed, body: signed.body!.replace("1.5", "15") }), "digest-mismatch");
    expectReason(await v.verify({ ...signed, body: signed.body!.slice(0, -1) }), "digest-mismatch");
    expectReason(await v.verify({ ...signed, body: `${signed.body} ` }), "digest-mismatch");
    expectReason(await v.verify({ ...signed, body: undefined }), "digest-mismatch");
    const md5 = await signCustom({
      key: ed,
      request: { ...post, headers: { ...post.headers, "content-digest": "md5=:AAAAAAAAAAAAAAAAAAAAAA==:" } },
      components: ["@method", "@authority", "@path", "@query", "content-digest"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n"]],
    });
    expectReason(await v.verify(md5), "digest-mismatch");
    const wrongSecond = await signCustom({
      key: ed,
      request: { ...post, headers: { ...post.headers, "content-digest": `${sha256Digest(post.body!)}, sha-512=:${Buffer.alloc(64).toString("base64")}:` } },
      components: ["@method", "@authority", "@path", "@query", "content-digest"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n"]],
    });
    expectReason(await v.verify(wrongSecond), "digest-mismatch");
  });

  it("expired-request, future-request at and across every window edge (maxAge 60 s, skew 5 s)", async () => {
    const at = async (created: number, nowMs: number, expires?: number) =>
      standard({ now: () => nowMs }).verify(await sign(get, ed, { created, ...(expires === undefined ? {} : { expires }) }));
    expectOk(await at(T + 5, NOW));
    expectReason(await at(T + 6, NOW), "future-request");
    expectOk(await at(T - 65, NOW));
    expectReason(await at(T - 66, NOW), "expired-request");
    expectReason(await at(T - 65, NOW + 1), "expired-request");
    expectOk(await at(T + 5, NOW - 0));
    expectReason(await at(T + 5, NOW - 1), "future-request");
    // expires: accepted until expires + skew.
    expectOk(await at(T - 10, NOW, T - 5));
    expectReason(await at(T - 10, NOW, T - 6), "expired-request");
    expectReason(await at(T - 10, NOW + 1, T - 5), "expired-request");
  });

  it("missing-nonce", async () => {
    const signed = await signCustom({
      key: ed,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T]],
    });
    expectReason(await standard().verify(signed), "missing-nonce");
  });

  it("replayed-nonce; nonces are per key; a forged copy does not burn the nonce", async () => {
    const v = standard();
    const signed = await sign(get, ed, { nonce: "shared-nonce" });
    // A forged copy (bad signature) arrives first: rejected, and the real one still passes.
    const forgedSig = Buffer.from(signed.headers.signature!.slice(5, -1), "base64");
    forgedSig[0]! ^= 0x80;
    expectReason(await v.verify({ ...signed, headers: { ...signed.headers, signature: `sig=:${forgedSig.toString("base64")}:` } }), "bad-signature");
    expectOk(await v.verify(signed));
    expectReason(await v.verify(signed), "replayed-nonce");
    // The same nonce from another key is a different (keyId, nonce).
    expectOk(await v.verify(await sign(get, p256, { nonce: "shared-nonce" })));
    // A re-signed request reusing the nonce is still a replay.
    expectReason(await v.verify(await sign(post, ed, { nonce: "shared-nonce" })), "replayed-nonce");
  });

  it("key-not-yet-valid and key-expired at the window edges (notBefore <= now < expiresAt)", async () => {
    const at = async (window: { notBefore?: number; expiresAt?: number }) =>
      verifierFor({ ed: { key: ed, ...window } }).verify(await sign(get));
    expectOk(await at({ notBefore: T, expiresAt: T + 1 }));
    expectReason(await at({ notBefore: T + 1 }), "key-not-yet-valid");
    expectReason(await at({ expiresAt: T }), "key-expired");
    expectOk(await at({ expiresAt: T + 1 }));
  });

  it("keyClock judges key windows apart from signature freshness (a dev chain ahead of the wall)", async () => {
    const day = 86_400;
    const ahead = { keyClock: () => NOW + day * 1000 };
    // The signature is fresh by `now`, but the chain's clock is past the key's end.
    expectReason(await verifierFor({ ed: { key: ed, expiresAt: T + day } }, ahead).verify(await sign(get)), "key-expired");
    expectOk(await verifierFor({ ed: { key: ed, expiresAt: T + day + 1 } }, ahead).verify(await sign(get)));
    expectOk(await verifierFor({ ed: { key: ed, expiresAt: T + day } }).verify(await sign(get)));
    expect(() => verifierFor({}, { keyClock: 5 as unknown as () => number })).toThrow(/keyClock must be a function/);
  });

  it("key-revoked and key-suspended", async () => {
    expectReason(await verifierFor({ ed: { key: ed, state: "revoked" } }).verify(await sign(get)), "key-revoked");
    expectReason(await verifierFor({ ed: { key: ed, state: "suspended" } }).verify(await sign(get)), "key-suspended");
  });

  it("insufficient-scope", async () => {
    const v = standard();
    expectReason(await v.verify(await sign(post), { requiredScopes: ["trade", "withdraw"] }), "insufficient-scope");
    expectOk(await v.verify(await sign(post), { requiredScopes: ["trade"] }));
    // Only an authenticated caller learns about scopes: a forged request gets bad-signature.
    const forged = await signCustom({
      key: other,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "x"]],
    });
    expectReason(await v.verify(forged, { requiredScopes: ["withdraw"] }), "bad-signature");
  });

  it("key-not-allowed: a key outside the registry's current policy (issue 9), after the window checks", async () => {
    const base = staticKeyResolver({ [ed.keyId]: { alg: ed.alg, publicKey: ed.publicKey } });
    const found = base.resolve(ed.keyId) as Extract<ReturnType<KeyResolver["resolve"]>, { status: "found" }>;
    const outside = (key: Partial<typeof found.key>): KeyResolver => ({ resolve: () => ({ status: "found", key: { ...found.key, notAllowed: "the policy no longer allows algorithm 1", ...key } }) });
    const result = await createVerifier({ keys: outside({}), now: () => NOW }).verify(await sign(get));
    expectReason(result, "key-not-allowed");
    expect(!result.ok && result.message).toMatch(/current policy: the policy no longer allows algorithm 1/);
    expect(!result.ok && result.keyId).toBe(ed.keyId);
    expect(verifierReasons["key-not-allowed"].status).toBe(401);
    // An expired or revoked key says so first: widening the policy would not bring it back.
    expectReason(await createVerifier({ keys: outside({ expiresAt: T }), now: () => NOW }).verify(await sign(get)), "key-expired");
    expectReason(await createVerifier({ keys: outside({ state: "revoked" }), now: () => NOW }).verify(await sign(get)), "key-revoked");
    expectOk(await createVerifier({ keys: outside({ notAllowed: undefined }), now: () => NOW }).verify(await sign(get)));
  });

  it("invalid-proof-of-possession and stale-chain-state from the resolver", async () => {
    const base = staticKeyResolver({ [ed.keyId]: { alg: ed.alg, publicKey: ed.publicKey } });
    const found = base.resolve(ed.keyId) as Extract<ReturnType<KeyResolver["resolve"]>, { status: "found" }>;
    const invalidPop: KeyResolver = { resolve: async () => ({ status: "found", key: { ...found.key, proofOfPossession: "invalid" } }) };
    expectReason(await createVerifier({ keys: invalidPop, now: () => NOW }).verify(await sign(get)), "invalid-proof-of-possession");
    const stale: KeyResolver = { resolve: () => ({ status: "stale", message: "No block for 42 s." }) };
    const result = await createVerifier({ keys: stale, now: () => NOW }).verify(await sign(get));
    expectReason(result, "stale-chain-state");
    expect(!result.ok && result.message).toBe("No block for 42 s.");
  });

  it("nonce-store-unavailable: a full store and an unavailable one (fail closed)", async () => {
    const full = standard({ nonces: memoryNonceStore({ maxEntries: 1, now: () => NOW }) });
    expectOk(await full.verify(await sign(get)));
    expectReason(await full.verify(await sign(get)), "nonce-store-unavailable");
    const down = standard({ nonces: { checkAndStore: async () => "unavailable" as const } });
    expectReason(await down.verify(await sign(get)), "nonce-store-unavailable");
  });

  afterAll(() => {
    expect([...seen].sort()).toEqual([...verifierReasonList].sort());
  });
});

describe("verify: tampering with each covered component breaks the signature", () => {
  const cases: [string, (r: Plain) => Plain, VerifierReason][] = [
    ["method", (r) => ({ ...r, method: "PUT" }), "bad-signature"],
    ["authority", (r) => ({ ...r, url: r.url.replace("api.example.com", "api.example.org") }), "bad-signature"],
    ["authority port", (r) => ({ ...r, url: r.url.replace("api.example.com", "api.example.com:8443") }), "bad-signature"],
    ["path", (r) => ({ ...r, url: r.url.replace("/v1/orders", "/v1/orderz") }), "bad-signature"],
    ["path dot-segments are not normalised", (r) => ({ ...r, url: r.url.replace("/v1/orders", "/v1/x/../orders") }), "bad-signature"],
    ["query", (r) => ({ ...r, url: r.url.replace("venue=main", "venue=side") }), "bad-signature"],
    ["query removed", (r) => ({ ...r, url: r.url.replace("?venue=main", "") }), "bad-signature"],
    ["content-digest and body together", (r) => ({ ...r, body: "{}", headers: { ...r.headers, "content-digest": sha256Digest("{}") } }), "bad-signature"],
    ["body", (r) => ({ ...r, body: `${r.body!.slice(0, -1)},"x":1}` }), "digest-mismatch"],
  ];
  for (const [name, tamper, reason] of cases) {
    it(name, async () => {
      const signed = await sign(post);
      const tampered = tamper(signed);
      expectReason(await standard().verify(tampered), reason);
      expectOk(await standard().verify(signed));
    });
  }
});

describe("verify: what the profile does not cover", () => {
  it("@scheme is not covered by default: http vs https alone does not change the base", async () => {
    const signed = await sign(post);
    expectOk(await standard().verify({ ...signed, url: signed.url.replace("https:", "http:") }));
  });

  it("the default port is normalised away; another port is part of @authority", async () => {
    const signed = await sign(post);
    expectOk(await standard().verify({ ...signed, url: signed.url.replace("api.example.com", "API.example.com:443") }));
  });
});

describe("verify: label choice", () => {
  it("skips members that do not meet the profile and verifies the first one that does", async () => {
    const signed = await signCustom({
      key: ed,
      request: get,
      label: "ours",
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n"]],
      before: { input: 'proxy=("@method");keyid="proxy-key";created=1', signature: "proxy=:AAAA:" },
    });
    expectOk(await standard().verify(signed));
  });

  it("verifies only the first member that meets the profile (one verification per request)", async () => {
    const good = await sign(get);
    const badFirst = await signCustom({
      key: other,
      request: get,
      label: "first",
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T], ["nonce", "n1"]],
    });
    const combined: Plain = {
      ...good,
      headers: {
        ...good.headers,
        "signature-input": `${badFirst.headers["signature-input"]}, ${good.headers["signature-input"]}`,
        signature: `${badFirst.headers.signature}, ${good.headers.signature}`,
      },
    };
    expectReason(await standard().verify(combined), "bad-signature");
  });

  it("reports the first member's problem when none meets the profile", async () => {
    const signed = await signCustom({
      key: ed,
      request: get,
      components: ["@method", "@authority", "@path", "@query"],
      params: [["keyid", ed.keyId], ["created", T]],
      before: { input: 'a=("@method");created=1', signature: "a=:AAAA:" },
    });
    expectReason(await standard().verify(signed), "malformed");
  });
});

describe("createVerifier: configuration", () => {
  it("rejects options outside their ranges with typed errors", () => {
    const keys = staticKeyResolver({});
    for (const bad of [{ maxAgeSeconds: 0 }, { maxAgeSeconds: 301 }, { clockSkewSeconds: -1 }, { requiredComponents: ["Accept"] }, { requiredComponents: ["@nope"] }, { now: 5 }]) {
      expect(() => createVerifier({ keys, ...(bad as object) })).toThrow(InvalidVerifierOptionError);
    }
    expect(() => createVerifier({ keys: {} as never })).toThrow(InvalidVerifierOptionError);
    expect(createVerifier({ keys, maxAgeSeconds: 300 })).toBeTruthy();
    expect(createVerifier({ keys, maxAgeSeconds: 1 })).toBeTruthy();
  });

  it("staticKeyResolver checks that each key id is keccak256 of its key, and the key's type", () => {
    expect(() => staticKeyResolver({ [ed.keyId]: { alg: "ed25519", publicKey: other.publicKey } })).toThrow(/does not match/);
    expect(() => staticKeyResolver({ [ed.keyId]: { alg: "ecdsa-p256-sha256", publicKey: ed.publicKey } })).toThrow(/ed25519/);
    expect(() => staticKeyResolver({ "caf\u00e9": { alg: "ed25519", publicKey: ed.publicKey } })).toThrow(/Invalid key id/);
    expect(() => staticKeyResolver({ ["k".repeat(257)]: { alg: "ed25519", publicKey: ed.publicKey } })).toThrow(/Invalid key id/);
    // Any other sf-string names the key given for it (RFC 9421's examples use "test-key-ed25519").
    expect(staticKeyResolver({ "test-key-ed25519": { alg: "ed25519", publicKey: ed.publicKey } }).resolve("test-key-ed25519")).toMatchObject({ status: "found" });
    expect(() => staticKeyResolver({ [ed.keyId]: { alg: "ed25519", publicKey: ed.privateKey! } })).not.toThrow();
  });

  it("a Request whose body was already read is an integration error, not a verdict", async () => {
    const request = new Request(post.url, { method: "POST", body: post.body });
    await request.text();
    await expect(standard().verify(request)).rejects.toThrow(InvalidVerifyInputError);
  });

  it("the reason table covers every reason with 401, 403 or 503", () => {
    expect(verifierReasons["insufficient-scope"].status).toBe(403);
    expect(verifierReasons["stale-chain-state"].status).toBe(503);
    expect(verifierReasons["nonce-store-unavailable"].status).toBe(503);
    for (const reason of verifierReasonList) {
      if (!["insufficient-scope", "stale-chain-state", "nonce-store-unavailable"].includes(reason)) expect(verifierReasons[reason].status).toBe(401);
    }
  });

  it("a resolver or nonce store that throws is an operational error (typed), never an acceptance", async () => {
    const throwing = createVerifier({ keys: { resolve: () => { throw new Error("boom"); } }, now: () => NOW });
    await expect(throwing.verify(await sign(get))).rejects.toThrow(VerifierDependencyError);
    const badStore = standard({ nonces: { checkAndStore: () => { throw new Error("boom"); } } });
    await expect(badStore.verify(await sign(get))).rejects.toThrow(VerifierDependencyError);
  });

  it("huge signature fields are refused before parsing", async () => {
    const signed = await sign(post);
    const huge = `${signed.headers["signature-input"]}, ${Array.from({ length: 400 }, (_, i) => `x${i}=("@method");created=1`).join(", ")}`;
    expectReason(await standard().verify({ ...signed, headers: { ...signed.headers, "signature-input": huge } }), "malformed");
    expectReason(await standard().verify({ ...signed, headers: { ...signed.headers, "content-digest": `${signed.headers["content-digest"]}, ${"a=?1, ".repeat(2000)}b=?1` } }), "digest-mismatch");
  });

  it("close() closes the resolver and the nonce store", async () => {
    const closed: string[] = [];
    const v = createVerifier({
      keys: { resolve: () => ({ status: "unknown" }), close: async () => void closed.push("keys") },
      nonces: { checkAndStore: () => "stored", close: async () => void closed.push("nonces") },
    });
    await v.close();
    expect(closed.sort()).toEqual(["keys", "nonces"]);
  });
});

describe("every algorithm of the profile", () => {
  it("is covered by these tests", () => {
    expect([ed.alg, p256.alg, k1.alg].sort()).toEqual([...algorithms].sort());
  });
});
