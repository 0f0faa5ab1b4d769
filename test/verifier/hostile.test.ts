// A first line of the hostile-input suite: whatever the request, verify resolves
// with a verdict (never throws), and a mutated signed request is only ever
// accepted when the mutation left its meaning unchanged.
import fc from "fast-check";
import { parseDictionary, serializeDictionary } from "structured-headers";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/signer/index.ts";
import { keyOf, NOW, type Plain, T, verifierFor } from "./helpers.ts";

const key = await keyOf("ed25519");
const base: Plain = {
  method: "POST",
  url: "https://api.example.com/v1/orders?venue=main",
  headers: { "content-type": "application/json" },
  body: '{"amount":"1"}',
};
const signed = (await signRequest(base, { key, created: T, nonce: "fixed-nonce" })) as Plain;
// HTTP strips a field value's leading and trailing whitespace (SP and HTAB, RFC 9110
// §5.5) before the structured-field parser sees it; so does the verifier.
const canonical = (value: string | undefined) => {
  try {
    return value === undefined ? undefined : serializeDictionary(parseDictionary(value.replace(/^[ \t]+|[ \t]+$/g, "")));
  } catch {
    return "unparseable";
  }
};

const headerValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.constantFrom('sig=("@method");keyid="0x";created=1', "sig=:AAAA:", "sig=(", "sig=:%%%:", `sig=();created=${"9".repeat(20)}`, "a=?1, b=?0, sig=:=:"),
);

describe("hostile input", () => {
  it("never throws on arbitrary methods, URLs, headers and bodies", async () => {
    const verifier = verifierFor({ k: { key } });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.oneof(fc.constantFrom("GET", "POST", ""), fc.string({ maxLength: 20 })),
          url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ maxLength: 80 }), fc.constant(signed.url)),
          input: headerValue,
          signature: headerValue,
          digest: fc.option(headerValue),
          extra: fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 })), { maxLength: 5 }),
          body: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }))),
        }),
        async ({ method, url, input, signature, digest, extra, body }) => {
          const headers: [string, string][] = [["signature-input", input], ["signature", signature], ...extra];
          if (digest !== null) headers.push(["content-digest", digest]);
          const result = await verifier.verify({ method, url, headers, body: body ?? undefined });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("leading or trailing SP/HTAB around Signature-Input is HTTP whitespace: the same request (fast-check seed -189325758)", async () => {
    for (const input of [`\t${signed.headers["signature-input"]}`, `${signed.headers["signature-input"]} \t`]) {
      const request: Plain = { ...signed, headers: { ...signed.headers, "signature-input": input } };
      const result = await verifierFor({ k: { key } }, { now: () => NOW }).verify(request);
      expect(result.ok).toBe(true);
      expect(canonical(input)).toBe(canonical(signed.headers["signature-input"]));
    }
  });

  it("a mutated signed request is accepted only if the mutation was meaningless", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("signature-input", "signature", "content-digest", "url", "method", "body"),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom("replace", "insert", "delete"),
        async (target, at, code, op) => {
          const mutate = (value: string) => {
            const i = at % (value.length + 1);
            const c = String.fromCharCode(code);
            return op === "insert" ? value.slice(0, i) + c + value.slice(i) : op === "delete" ? value.slice(0, i) + value.slice(i + 1) : value.slice(0, i) + c + value.slice(i + 1);
          };
          const request: Plain = { ...signed, headers: { ...signed.headers } };
          if (target === "url") request.url = mutate(request.url);
          else if (target === "method") request.method = mutate(request.method);
          else if (target === "body") request.body = mutate(request.body!);
          else request.headers[target] = mutate(request.headers[target]!);
          const result = await verifierFor({ k: { key } }, { now: () => NOW }).verify(request);
          if (result.ok) {
            // Accepted: then nothing covered changed meaning.
            expect(canonical(request.headers["signature-input"])).toBe(canonical(signed.headers["signature-input"]));
            expect(canonical(request.headers.signature)).toBe(canonical(signed.headers.signature));
            expect(request.method).toBe(signed.method);
            expect(request.body).toBe(signed.body);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
