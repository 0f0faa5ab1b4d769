// RFC 9421 Appendix B conformance: the signature bases we build for the RFC's
// test request and response match the RFC byte for byte, and the RFC's own
// signatures verify over them with the RFC's test keys (Appendix B.1). Where a
// signature is deterministic (B.2.5 HMAC, B.2.6 Ed25519) we also reproduce it.
import { constants, createHash, createHmac, createPrivateKey, createPublicKey, verify } from "node:crypto";
import { type Item, parseDictionary } from "structured-headers";
import { describe, expect, it } from "vitest";
import { signBytes } from "../../src/keys/index.ts";
import { collectFields, createSignatureBase, type HttpMessage, parseRequestTarget } from "../../src/profile/index.ts";
import { createVerifier, publicKeyObject, staticKeyResolver } from "../../src/verifier/index.ts";

// B.2: the test request and response.
const requestBody = '{"hello": "world"}';
const requestHeaders: [string, string][] = [
  ["Host", "example.com"],
  ["Date", "Tue, 20 Apr 2021 02:07:55 GMT"],
  ["Content-Type", "application/json"],
  ["Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"],
  ["Content-Length", "18"],
];
const responseBody = '{"message": "good dog"}';
const responseHeaders: [string, string][] = [
  ["Date", "Tue, 20 Apr 2021 02:07:56 GMT"],
  ["Content-Type", "application/json"],
  ["Content-Digest", "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"],
  ["Content-Length", "23"],
];

// B.1: test keys.
const rsaPss = createPublicKey({
  key: {
    kty: "RSA",
    e: "AQAB",
    n: "r4tmm3r20Wd_PbqvP1s2-QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct-Lh1GH45x28Rw3Ry53mm-oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHqgDsznjPFmTOtCEcN2Z1FpWgchwuYLPL-Wokqltd11nqqzi-bJ9cvSKADYdUAAN5WUtzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4aOT9v6d-nb4bnNkQVklLQ3fVAvJm-xdDOp9LCNCN48V2pnDOkFV6-U9nV5oyc6XI2w",
  },
  format: "jwk",
});
const eccP256Pem = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----`;
const ed25519Pem = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;
const ed25519PrivatePem = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`;
const sharedSecret = Buffer.from("uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==", "base64");

function requestMessage(): HttpMessage {
  const target = parseRequestTarget("https://example.com/foo?param=Value&Pet=dog");
  const fields = collectFields(requestHeaders);
  if (!target.ok || !fields.ok) throw new Error("test request");
  return { method: "POST", ...target.value, fields: fields.value };
}

function responseMessage(): HttpMessage {
  const fields = collectFields(responseHeaders);
  if (!fields.ok) throw new Error("test response");
  return { status: 200, fields: fields.value };
}

/** Parses a Signature-Input / Signature pair from the RFC and builds our base for it. */
function base(message: HttpMessage, signatureInput: string, signature: string) {
  const [label] = parseDictionary(signatureInput).keys();
  const [components, parameters] = parseDictionary(signatureInput).get(label!) as [Item[], Map<string, never>];
  const built = createSignatureBase({ message, components, parameters });
  if (!built.ok) throw new Error(built.error);
  const bytes = Buffer.from(parseDictionary(signature).get(label!)![0] as ArrayBuffer);
  return { base: built.value.base, signature: bytes };
}

const rsaPssVerify = (data: string, signature: Buffer) =>
  verify("sha512", Buffer.from(data), { key: rsaPss, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signature);

describe("RFC 9421 Appendix B", () => {
  it("the test messages' Content-Digest values are SHA-512 of their bodies (RFC 9530)", () => {
    expect(`sha-512=:${createHash("sha512").update(requestBody).digest("base64")}:`).toBe(requestHeaders[3]![1]);
    expect(`sha-512=:${createHash("sha512").update(responseBody).digest("base64")}:`).toBe(responseHeaders[2]![1]);
  });

  it("B.2.1 minimal signature: base matches and the RSA-PSS signature verifies", () => {
    const { base: b, signature } = base(
      requestMessage(),
      'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
      "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:",
    );
    expect(b).toBe('"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
    expect(rsaPssVerify(b, signature)).toBe(true);
  });

  it("B.2.2 selective covered components (@query-param): base matches and verifies", () => {
    const { base: b, signature } = base(
      requestMessage(),
      'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
      "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:",
    );
    expect(b).toBe(
      [
        '"@authority": example.com',
        '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
        '"@query-param";name="Pet": dog',
        '"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
      ].join("\n"),
    );
    expect(rsaPssVerify(b, signature)).toBe(true);
  });

  it("B.2.3 full coverage: base matches and verifies", () => {
    const { base: b, signature } = base(
      requestMessage(),
      'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
      "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:",
    );
    expect(b).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@query": ?param=Value&Pet=dog',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
      ].join("\n"),
    );
    expect(rsaPssVerify(b, signature)).toBe(true);
  });

  it("B.2.4 signing a response (ecdsa-p256-sha256): base matches and verifies", () => {
    const { base: b, signature } = base(
      responseMessage(),
      'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
      "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:",
    );
    expect(b).toBe(
      [
        '"@status": 200',
        '"content-type": application/json',
        '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
        '"content-length": 23',
        '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
      ].join("\n"),
    );
    // Through our key import and the same node:crypto call the verifier makes.
    const key = publicKeyObject({ alg: "ecdsa-p256-sha256", publicKey: eccP256Pem });
    expect(verify("sha256", Buffer.from(b), { key, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
  });

  it("B.2.5 HMAC-SHA256: base matches and the signature is reproduced", () => {
    const { base: b, signature } = base(
      requestMessage(),
      'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:",
    );
    expect(b).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@authority": example.com',
        '"content-type": application/json',
        '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      ].join("\n"),
    );
    expect(createHmac("sha256", sharedSecret).update(b).digest().equals(signature)).toBe(true);
  });

  it("B.2.6 ed25519: base matches, the RFC signature verifies with the RFC key, and our signer reproduces it", async () => {
    const signatureInput = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
    const { base: b, signature } = base(
      requestMessage(),
      signatureInput,
      "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
    );
    expect(b).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join("\n"),
    );
    const key = publicKeyObject({ alg: "ed25519", publicKey: ed25519Pem });
    expect(verify(null, Buffer.from(b, "latin1"), key, signature)).toBe(true);
    // Raw-bytes and JWK imports of the same key agree.
    const raw = createPublicKey(ed25519Pem).export({ format: "der", type: "spki" }).subarray(-32);
    expect(verify(null, Buffer.from(b), publicKeyObject({ alg: "ed25519", publicKey: new Uint8Array(raw) }), signature)).toBe(true);
    // Ed25519 is deterministic: the SDK's signBytes with the RFC private key gives the RFC's bytes.
    const privateJwk = createPrivateKey(ed25519PrivatePem).export({ format: "jwk" });
    const ours = await signBytes({ privateKey: privateJwk as never, data: new TextEncoder().encode(b) });
    expect(Buffer.from(ours).toString("base64")).toBe(signature.toString("base64"));
    // One bit off in the base and it no longer verifies.
    expect(verify(null, Buffer.from(b.replace("POST", "PUT")), key, signature)).toBe(false);
  });

  it("derived components of RFC 9421 §2.2 on the test request", () => {
    const message = requestMessage();
    const cases: [string, string][] = [
      ['"@target-uri"', "https://example.com/foo?param=Value&Pet=dog"],
      ['"@scheme"', "https"],
      ['"@request-target"', "/foo?param=Value&Pet=dog"],
      ['"@query-param";name="param"', "Value"],
    ];
    for (const [identifier, value] of cases) {
      const parsed = parseDictionary(`x=(${identifier})`).get("x") as [Item[], Map<string, never>];
      const built = createSignatureBase({ message, components: parsed[0], parameters: new Map() });
      expect(built.ok && built.value.base.split("\n")[0]).toBe(`${identifier}: ${value}`);
    }
  });

  it("@query-param re-encodes values as RFC 9421 §2.2.8's example does", () => {
    const target = parseRequestTarget("https://example.com/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something");
    if (!target.ok) throw new Error(target.error);
    const message: HttpMessage = { method: "GET", ...target.value, fields: new Map() };
    const line = (name: string) => {
      const [items] = parseDictionary(`x=("@query-param";name=${JSON.stringify(name)})`).get("x") as [Item[], Map<string, never>];
      const built = createSignatureBase({ message, components: items, parameters: new Map() });
      return built.ok ? built.value.base.split("\n")[0] : built.error;
    };
    expect(line("var")).toBe('"@query-param";name="var": this%20is%20a%20big%0Avalue');
    expect(line("bar")).toBe('"@query-param";name="bar": with%20plus%20whitespace');
    expect(line("fa%C3%A7ade%22%3A%20")).toBe('"@query-param";name="fa%C3%A7ade%22%3A%20": something');
  });
});

describe("RFC 9421 examples through the public API (createVerifier + staticKeyResolver)", () => {
  const url = "https://example.com/foo?param=Value&Pet=dog";
  const b26 = {
    "signature-input": 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    signature: "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
  };
  // The RFC's request covers neither the query nor the body's digest, and has no nonce: a verifier
  // for such peers says so explicitly rather than through the KeyLedger profile's defaults.
  const verifier = createVerifier({
    keys: staticKeyResolver({ "test-key-ed25519": { alg: "ed25519", publicKey: ed25519Pem, scopes: ["read"] } }),
    requiredComponents: ["@method", "@path", "@authority"],
    requireNonce: false,
    now: () => 1618884473 * 1000,
  });
  const request = (path = "/foo?param=Value&Pet=dog") =>
    new Request(`https://example.com${path}`, {
      method: "POST",
      headers: [...requestHeaders, ...Object.entries(b26)],
      body: requestBody,
    });

  it("B.2.6 (test-key-ed25519) verifies", async () => {
    expect(await verifier.verify(request())).toMatchObject({ ok: true, keyId: "test-key-ed25519", alg: "ed25519" });
  });

  it("B.2.6 with a tampered path, method or date does not", async () => {
    expect(await verifier.verify(request("/bar?param=Value&Pet=dog"))).toMatchObject({ ok: false, reason: "bad-signature" });
    const put = new Request(url, { method: "PUT", headers: [...requestHeaders, ...Object.entries(b26)], body: requestBody });
    expect(await verifier.verify(put)).toMatchObject({ ok: false, reason: "bad-signature" });
    const dated = requestHeaders.map(([n, v]): [string, string] => (n === "Date" ? [n, "Tue, 20 Apr 2021 02:07:56 GMT"] : [n, v]));
    const later = new Request(url, { method: "POST", headers: [...dated, ...Object.entries(b26)], body: requestBody });
    expect(await verifier.verify(later)).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("the KeyLedger profile's defaults refuse it (no nonce, no @query)", async () => {
    const strict = createVerifier({
      keys: staticKeyResolver({ "test-key-ed25519": { alg: "ed25519", publicKey: ed25519Pem } }),
      now: () => 1618884473 * 1000,
    });
    expect(await strict.verify(request())).toMatchObject({ ok: false });
  });
});
