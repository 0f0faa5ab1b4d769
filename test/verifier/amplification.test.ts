import { describe, expect, it } from "vitest";
import { keyOf, NOW, signCustom, T, verifierFor } from "./helpers.ts";

// An unauthenticated sender controls Signature-Input: before the key is known,
// the verifier must do no more than parse it and look the key id up.
describe("CPU amplification before the key is known", () => {
  const unknownKeyId = "0x" + "ab".repeat(32);
  const bigField = Array.from({ length: 2_000 }, (_, i) => `k${i}=${i}`).join(", ");

  function hostile(components: string[]) {
    const list = components.join(" ");
    return {
      method: "GET",
      url: "https://api.example.com/v1/prices",
      headers: {
        priority: bigField,
        "signature-input": `sig=("@method" "@authority" "@path" ${list});keyid="${unknownKeyId}";created=${T};nonce="n1"`,
        signature: `sig=:${Buffer.alloc(64).toString("base64")}:`,
      },
    };
  }

  it("an unknown key is refused before the signature base is built (old order: the base came first)", async () => {
    const known = await keyOf();
    const verifier = verifierFor({ a: { key: known, scopes: [] } }, { now: () => NOW });
    // 20 `;key=` members that are not in the field: building the base would fail
    // with malformed, so unknown-key proves the base was never built.
    const components = Array.from({ length: 20 }, (_, i) => `"priority";key="missing${i}"`);
    const verdict = await verifier.verify(hostile(components));
    expect(verdict).toMatchObject({ ok: false, reason: "unknown-key" });
  });

  it("the 366-component request of the review is refused by the component cap", async () => {
    const known = await keyOf();
    const verifier = verifierFor({ a: { key: known, scopes: [] } }, { now: () => NOW });
    const components = Array.from({ length: 366 }, (_, i) => `"priority";key="k${i}"`);
    const verdict = await verifier.verify(hostile(components));
    expect(verdict).toMatchObject({ ok: false, reason: "malformed" });
    expect(verdict.ok === false && verdict.message).toMatch(/more than 32 components/);
  });

  it("a component covered twice is refused before any work", async () => {
    const known = await keyOf();
    const verifier = verifierFor({ a: { key: known, scopes: [] } }, { now: () => NOW });
    const verdict = await verifier.verify(hostile([`"priority";key="k1"`, `"priority";key="k1"`]));
    expect(verdict).toMatchObject({ ok: false, reason: "malformed" });
    expect(verdict.ok === false && verdict.message).toMatch(/twice/);
  });

  it("an honest request covering many `;key=` members of one large field still verifies", async () => {
    const key = await keyOf();
    const verifier = verifierFor({ a: { key, scopes: [] } }, { now: () => NOW });
    // Just under the 8 KiB bound on structured fields.
    const field = Array.from({ length: 800 }, (_, i) => `k${i}=${i}`).join(", ");
    expect(field.length).toBeLessThan(8192);
    const request = { method: "GET", url: "https://api.example.com/v1/prices", headers: { priority: field } };
    const members = Array.from({ length: 25 }, (_, i) => ["priority", new Map([["key", `k${i * 31}`]])] as [string, Map<string, string>]);
    const signed = await signCustom({
      key,
      request,
      components: ["@method", "@authority", "@path", ...members],
      params: [["keyid", key.keyId], ["created", T], ["nonce", "honest-1"]],
    });
    expect(await verifier.verify(signed)).toMatchObject({ ok: true });
  });

  it("a registered key id does not buy structured-field or query parses of huge inputs (over 8 KiB)", async () => {
    const key = await keyOf();
    const verifier = verifierFor({ a: { key, scopes: [] } }, { now: () => NOW });
    const signedFor = (headers: Record<string, string>, url: string, components: (string | [string, Map<string, string>])[]) =>
      signCustom({ key, request: { method: "GET", url, headers }, components: ["@method", "@authority", "@path", ...components], params: [["keyid", key.keyId], ["created", T], ["nonce", `n${Math.random()}`]] });
    const field = await signedFor({ priority: bigField }, "https://api.example.com/v1/prices", [["priority", new Map([["key", "k1"]])]]).catch((e: Error) => e);
    // The signer itself refuses to build such a base, so a forged one is sent: only the error matters.
    expect(field).toBeInstanceOf(Error);
    const forged = hostile([`"priority";key="k1"`]);
    forged.headers["signature-input"] = forged.headers["signature-input"].replace(unknownKeyId, key.keyId);
    const verdict = await verifier.verify(forged);
    expect(verdict).toMatchObject({ ok: false, reason: "malformed", message: expect.stringMatching(/too long to parse/) });
    const query = Array.from({ length: 1_200 }, (_, i) => `p${i}=${i}`).join("&");
    const byParam = await verifier.verify({
      method: "GET",
      url: `https://api.example.com/v1/prices?${query}`,
      headers: {
        "signature-input": `sig=("@method" "@authority" "@path" "@query" "@query-param";name="p1");keyid="${key.keyId}";created=${T};nonce="q1"`,
        signature: `sig=:${Buffer.alloc(64).toString("base64")}:`,
      },
    });
    expect(byParam).toMatchObject({ ok: false, reason: "malformed", message: expect.stringMatching(/too long to cover by @query-param/) });
  });
});
