import { createHash } from "node:crypto";
import { parseDictionary } from "structured-headers";
import { describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../src/keys/index.ts";
import { createSignedFetch, NoSigningKeyError, selectSigningKey, signRequest, SignRequestError } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";

const key = await generateKey({ alg: "ed25519", label: "sdk" });
const verifierFor = (...keys: KeyFile[]) =>
  createVerifier({ keys: staticKeyResolver(Object.fromEntries(keys.map((k) => [k.keyId, { alg: k.alg, publicKey: k.publicKey, version: k.version }]))) });

describe("signRequest", () => {
  it("adds Signature-Input, Signature and Content-Digest with the profile's components", async () => {
    const created = Math.floor(Date.now() / 1000);
    const signed = await signRequest(
      { method: "POST", url: "https://api.example.com/v1/orders?venue=main", headers: { "Content-Type": "application/json" }, body: '{"a":1}' },
      { key, created, nonce: "abc" },
    );
    const headers = signed.headers as Record<string, string>;
    expect(headers["Content-Type"]).toBe("application/json");
    expect(headers["content-digest"]).toBe(`sha-256=:${createHash("sha256").update('{"a":1}').digest("base64")}:`);
    expect(headers["signature-input"]).toBe(
      `sig=("@method" "@authority" "@path" "@query" "content-digest");keyid="${key.keyId}";alg="ed25519";created=${created};nonce="abc"`,
    );
    expect(parseDictionary(headers.signature!).get("sig")![0]).toBeInstanceOf(ArrayBuffer);
    expect((await verifierFor(key).verify(signed as never)).ok).toBe(true);
  });

  it("covers @query only when there is a query and content-digest only with a body; sha-512 on request", async () => {
    const get = await signRequest({ method: "GET", url: "https://api.example.com/v1/status" }, { key });
    expect((get.headers as Record<string, string>)["signature-input"]).toMatch(/^sig=\("@method" "@authority" "@path"\);/);
    expect((get.headers as Record<string, string>)["content-digest"]).toBeUndefined();
    const post = await signRequest({ method: "POST", url: "https://api.example.com/x", body: "hi" }, { key, digest: "sha-512", expires: Math.floor(Date.now() / 1000) + 30 });
    const headers = post.headers as Record<string, string>;
    expect(headers["content-digest"]).toMatch(/^sha-512=:/);
    expect(headers["signature-input"]).toMatch(/;expires=\d+;/);
    expect((await verifierFor(key).verify(post as never)).ok).toBe(true);
  });

  it("returns the shape it got: Request, Headers, record or [name, value] pairs", async () => {
    const request = new Request("https://api.example.com/v1/orders", { method: "POST", body: "{}", headers: { "x-client": "1" } });
    const signedRequest = await signRequest(request, { key });
    expect(signedRequest).toBeInstanceOf(Request);
    expect(signedRequest.headers.get("x-client")).toBe("1");
    expect(signedRequest.headers.get("signature")).toMatch(/^sig=:/);
    expect(await signedRequest.text()).toBe("{}");
    const viaHeaders = await signRequest({ method: "GET", url: "https://api.example.com/", headers: new Headers({ a: "1" }) }, { key });
    expect(viaHeaders.headers).toBeInstanceOf(Headers);
    const viaPairs = await signRequest({ method: "GET", url: "https://api.example.com/", headers: [["a", "1"]] as [string, string][] }, { key });
    expect((viaPairs.headers as [string, string][]).map(([n]) => n)).toEqual(["a", "Signature-Input", "Signature"]);
    const verifier = verifierFor(key);
    for (const signed of [viaHeaders, viaPairs]) expect((await verifier.verify(signed as never)).ok).toBe(true);
    const again = await signRequest(new Request("https://api.example.com/v1/orders", { method: "POST", body: "{}" }), { key });
    expect((await verifier.verify(again)).ok).toBe(true);
  });

  it("keeps other signatures and replaces its own label", async () => {
    const first = await signRequest({ method: "GET", url: "https://api.example.com/", headers: { "signature-input": 'proxy=("@method");created=1', signature: "proxy=:AAAA:" } }, { key });
    const again = await signRequest(first, { key });
    const headers = again.headers as Record<string, string>;
    expect([...parseDictionary(headers["signature-input"]!).keys()]).toEqual(["proxy", "sig"]);
    expect([...parseDictionary(headers.signature!).keys()]).toEqual(["proxy", "sig"]);
    expect((await verifierFor(key).verify(again as never)).ok).toBe(true);
  });

  it("refuses what cannot be signed, with SignRequestError", async () => {
    const request = { method: "GET", url: "https://api.example.com/" };
    await expect(signRequest(request, { key: { ...key, privateKey: undefined } })).rejects.toThrow(SignRequestError);
    await expect(signRequest(request, { key, nonce: "has space" })).rejects.toThrow(SignRequestError);
    await expect(signRequest(request, { key, label: "Bad" })).rejects.toThrow(SignRequestError);
    await expect(signRequest(request, { key, components: ["@method", "x-missing"] })).rejects.toThrow(/x-missing is absent/);
    await expect(signRequest({ ...request, url: "/relative" }, { key })).rejects.toThrow(SignRequestError);
    await expect(signRequest(request, { key, digest: "md5" as never })).rejects.toThrow(SignRequestError);
  });

  it("each call uses a fresh 128-bit nonce", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const signed = await signRequest({ method: "GET", url: "https://api.example.com/" }, { key });
      nonces.add(/nonce="([^"]+)"/.exec((signed.headers as Record<string, string>)["signature-input"]!)![1]!);
    }
    expect(nonces.size).toBe(20);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe("selectSigningKey / createSignedFetch", () => {
  const now = 1_767_225_600_000;
  const at = (version: number, notBefore?: number, expiresAt?: number): Promise<KeyFile> =>
    generateKey({ alg: "ed25519", label: "rotating" }).then((k) => ({ ...k, version, notBefore, expiresAt }));

  it("picks the highest version whose window contains now", async () => {
    const v1 = await at(1, 0, now / 1000 + 100);
    const v2 = await at(2, now / 1000 + 10, now / 1000 + 1000);
    expect(selectSigningKey({ keys: [v1, v2], now }).keyId).toBe(v1.keyId);
    expect(selectSigningKey({ keys: [v1, v2], now: now + 10_000 }).keyId).toBe(v2.keyId);
    expect(selectSigningKey({ keys: [v1, v2], now: now + 200_000 }).keyId).toBe(v2.keyId);
    expect(() => selectSigningKey({ keys: [v1, v2], now: now + 1_000_000 })).toThrow(NoSigningKeyError);
    expect(() => selectSigningKey({ keys: [{ ...v1, privateKey: undefined }], now })).toThrow(NoSigningKeyError);
  });

  it("signs with the newest key and picks up a rotated key without a restart", async () => {
    const v1 = await at(1);
    const v2 = await at(2);
    let keys = [v1];
    const sent: Request[] = [];
    const fetch = createSignedFetch({
      keys: async () => keys,
      fetch: async (request) => {
        sent.push(request);
        return new Response("ok");
      },
    });
    await fetch("https://api.example.com/v1/prices");
    keys = [v1, v2];
    await fetch("https://api.example.com/v1/orders", { method: "POST", body: '{"x":1}' });
    const verifier = verifierFor(v1, v2);
    const verdicts = await Promise.all(sent.map((r) => verifier.verify(r)));
    expect(verdicts.map((v) => (v.ok ? v.keyId : v.reason))).toEqual([v1.keyId, v2.keyId]);
  });
});
