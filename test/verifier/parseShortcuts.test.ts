// The verifier's two shortcuts around structured-headers (a remembered
// Signature-Input prefix, and parsing only the wanted Signature member) must give
// exactly what parseDictionary gives, for any input: checked against it directly,
// and through verify() with a warmed verifier against a cold one.
import fc from "fast-check";
import { type Dictionary, type InnerList, parseDictionary, serializeDictionary, Token } from "structured-headers";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/signer/index.ts";
import { dictionaryMember, soleByteSequenceMember } from "../../src/verifier/dictionaryMember.ts";
import { signatureInputTemplates } from "../../src/verifier/signatureInputTemplates.ts";
import { keyOf, NOW, type Plain, T, verifierFor } from "./helpers.ts";

/** A structure-preserving, comparable form of a parse result (or of its failure). */
function plain(value: unknown): unknown {
  if (value instanceof Map) return ["map", [...value].map(([k, v]) => [k, plain(v)])];
  if (Array.isArray(value)) return ["list", value.map(plain)];
  if (value instanceof ArrayBuffer) return ["bytes", Buffer.from(value).toString("hex")];
  if (value instanceof Token) return ["token", value.toString()];
  if (value instanceof Date) return ["date", value.getTime()];
  if (value !== null && typeof value === "object") return [value.constructor?.name, String(value)];
  return value;
}

function outcome(parse: () => unknown): unknown {
  try {
    return plain(parse());
  } catch {
    return "throws";
  }
}

const prefix = 'sig=("@method" "@authority" "@path" "@query");keyid="0x9d41ac9fb3163983ab5bf7832509913979dad9b20dea044a1c72be4cf188fb1f";alg="ed25519"';
const canonicalInput = `${prefix};created=1767225600;nonce="first"`;

/** Templates that learned the per-signer prefix of `input` and its per-second one (up to the nonce). */
function learned(input = canonicalInput) {
  const templates = signatureInputTemplates({ maxTemplates: 8 });
  const learn = (value: string) => {
    const parsed = templates.parse(value);
    const member = parsed.dictionary.get("sig") as InnerList;
    const signatureParams = serializeDictionary(parsed.dictionary).slice("sig=".length);
    templates.remember(value, "sig", member, signatureParams, parsed);
    return parsed;
  };
  expect(learn(input).template).toBeUndefined();
  expect(learn(input.replace("first", "second")).template?.perSigner).toBe(true);
  expect(learn(input.replace("first", "third")).template?.perSigner).toBe(false);
  return templates;
}

// Pieces a tail is made of: valid parameters, repeats of the prefix's own, and junk.
const tailPiece = fc.oneof(
  fc.constantFrom(';created=1767225600', ';created=1767225601', ';created=-1', ";created=1.5", ';nonce="n"', ';nonce=""', ";nonce=tok", ';keyid="0xother"', ';alg="ecdsa-p256-sha256"', ";tag", ";expires=1767225700"),
  fc.constantFrom(", other=(\"@path\")", ", sig=()", " ", "\t", ";", "=", '"', "\\", ";nonce=\"a\\\"b\"", ";Nonce=1", ";nonce=:AAAA:", ";nonce=?0", ";nonce=@1", ";nonce=%\"x\"", "("),
  fc.string({ maxLength: 6 }),
);
const tail = fc.array(tailPiece, { maxLength: 6 }).map((pieces) => pieces.join(""));

describe("Signature-Input templates", () => {
  it("parse equals parseDictionary for fields sharing a remembered prefix", () => {
    const templates = learned();
    fc.assert(
      fc.property(fc.constantFrom(prefix, `${prefix};created=1767225600`, prefix.slice(0, -3), `${prefix} `), tail, (start, rest) => {
        const value = start + rest;
        expect(outcome(() => templates.parse(value).dictionary)).toEqual(outcome(() => parseDictionary(value)));
      }),
      { numRuns: 3000 },
    );
  });

  it("parse equals parseDictionary after a prefix with tag, created and expires", () => {
    const tagged = `sig=("@method" "content-digest";sf);tag="app";keyid="k";created=1767225600;expires=1767225660;alg=tok;nonce="first"`;
    const templates = learned(tagged);
    const start = tagged.slice(0, tagged.indexOf(";nonce"));
    expect(templates.parse(`${start};nonce="x"`).template?.perSigner).toBe(false);
    fc.assert(
      fc.property(fc.constantFrom(start, start.slice(0, start.indexOf(";created")), start.slice(0, start.indexOf(";expires"))), tail, (head, rest) => {
        const value = head + rest;
        expect(outcome(() => templates.parse(value).dictionary)).toEqual(outcome(() => parseDictionary(value)));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives @signature-params only when it is the field's own serialization", () => {
    const templates = learned();
    let known = 0;
    fc.assert(
      fc.property(fc.constantFrom(prefix, `${prefix};created=1767225600`), tail, (start, rest) => {
        const value = start + rest;
        let parsed: ReturnType<typeof templates.parse>;
        try {
          parsed = templates.parse(value);
        } catch {
          return;
        }
        if (parsed.signatureParams === undefined) return;
        known++;
        expect(parsed.dictionary.size).toBe(1);
        expect(parsed.signatureParams).toBe(serializeDictionary(parsed.dictionary).slice("sig=".length));
        expect(`sig=${parsed.signatureParams}`).toBe(value);
      }),
      { numRuns: 3000 },
    );
    expect(known).toBeGreaterThan(0);
    expect(templates.parse(`${prefix};created=1767225601;nonce="x"`).signatureParams).toBe(`${prefix.slice(4)};created=1767225601;nonce="x"`);
    for (const odd of [";created=01767225601", ";created=1767225601;created=2", ';keyid="0x1"', ";created=1767225601 ", '; nonce="x"', ";created=1767225601;nonce=tok", ';nonce="a\\"b"']) {
      expect(templates.parse(`${prefix}${odd}`).signatureParams).toBeUndefined();
    }
  });

  it("reuses the prefixes on the usual fields", () => {
    const templates = learned();
    expect(templates.parse(`${prefix};created=1767225600;nonce="x"`).template?.perSigner).toBe(false);
    expect(templates.parse(`${prefix};created=1767225601;nonce="x"`).template?.perSigner).toBe(true);
    expect(templates.parse(`${prefix};created=1767225601;nonce="x", b=()`).template).toBeUndefined();
  });

  it("remembers nothing from a non-canonical field", () => {
    const templates = signatureInputTemplates({ maxTemplates: 8 });
    const value = canonicalInput.replace('"@method" ', '"@method"  ');
    const parsed = templates.parse(value);
    templates.remember(value, "sig", parsed.dictionary.get("sig") as InnerList, serializeDictionary(parsed.dictionary).slice(4), parsed);
    expect(templates.parse(value).template).toBeUndefined();
  });
});

describe("dictionaryMember", () => {
  it("equals parseDictionary(value).get(label)", () => {
    const member = fc.oneof(
      fc.constantFrom(":AAAA:", ":AAAA:;a=1", "()", "(:AAAA:)", "?1", "1", '"s"', "tok", ": AAAA:", " :AAAA:", ":AAA=:", ":%%:"),
      fc.string({ maxLength: 8 }),
    );
    const after = fc.constantFrom("", " ", "\t", ", b=:AAAA:", ", sig=:BBBB:", ",", " , b", "x");
    fc.assert(
      fc.property(fc.constantFrom("sig", "sig-b21", "s"), fc.constantFrom("sig", "sig-b21", "a"), member, after, (label, key, item, rest) => {
        const value = `${key}=${item}${rest}`;
        const expected = outcome(() => parseDictionary(value).get(label));
        expect(outcome(() => dictionaryMember({ value, label }))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("soleByteSequenceMember equals the parsed member's bytes, or declines", () => {
    const b64 = fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString("base64"));
    const mutated = fc.tuple(b64, fc.nat(), fc.constantFrom("=", "==", "A", "-", "_", ":", " ", "", "AB", "=A")).map(([text, at, piece]) => {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      return text.slice(0, i) + piece + text.slice(i);
    });
    const after = fc.constantFrom("", " ", ";a=1", ", b=:AAAA:", ":");
    fc.assert(
      fc.property(fc.constantFrom("sig", "s"), fc.constantFrom("sig", "s", "sig2"), fc.oneof(b64, mutated), after, (label, key, text, rest) => {
        const value = `${key}=:${text}:${rest}`;
        const fast = soleByteSequenceMember({ value, label });
        if (fast === undefined) return;
        const member = parseDictionary(value).get(label);
        expect(member && member[0] instanceof ArrayBuffer).toBe(true);
        expect(Buffer.from(fast).toString("hex")).toBe(Buffer.from(member![0] as ArrayBuffer).toString("hex"));
      }),
      { numRuns: 5000 },
    );
    expect(soleByteSequenceMember({ value: "sig=:AAECAw==:", label: "sig" })?.toString("hex")).toBe("00010203");
    expect(soleByteSequenceMember({ value: "sig=:QR==:", label: "sig" })?.toString("hex")).toBe(Buffer.from(atob("QR=="), "latin1").toString("hex"));
    for (const value of ["sig=:AAECAw=:", "sig=:AA=A:", "sig=:AAECAw==:;a=1", "sig=:AAECAw==: ", "sig=:A===:", "sig=AAECAw==:", "sigx=:AAAA:", "sig=:AAAA:, b=:AAAA:"]) {
      expect(soleByteSequenceMember({ value, label: "sig" })).toBeUndefined();
    }
  });

  it("parses a lone byte sequence member", () => {
    const parsed: Dictionary = parseDictionary("sig=:AAECAw==:");
    expect(plain(dictionaryMember({ value: "sig=:AAECAw==:", label: "sig" }))).toEqual(plain(parsed.get("sig")));
  });
});

describe("verify() with learned prefixes", () => {
  it("gives a warmed verifier's verdict to a cold one on mutated requests", async () => {
    const key = await keyOf("ed25519");
    const base: Plain = {
      method: "POST",
      url: "https://api.example.com/v1/orders?venue=main",
      headers: { "content-type": "application/json" },
      body: '{"amount":"1"}',
    };
    const sign = async (nonce: string) => (await signRequest(base, { key, created: T, nonce })) as Plain;
    const warmups = [await sign("warm-1"), await sign("warm-2")];
    const signed = await sign("fixed-nonce");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("signature-input", "signature"),
        fc.nat(),
        fc.integer({ min: 0, max: 127 }),
        fc.constantFrom("replace", "insert", "delete"),
        async (target, at, code, op) => {
          const value = signed.headers[target]!;
          const i = at % (value.length + 1);
          const c = String.fromCharCode(code);
          const mutated = op === "insert" ? value.slice(0, i) + c + value.slice(i) : op === "delete" ? value.slice(0, i) + value.slice(i + 1) : value.slice(0, i) + c + value.slice(i + 1);
          const request: Plain = { ...signed, headers: { ...signed.headers, [target]: mutated } };
          const warm = verifierFor({ k: { key } }, { now: () => NOW });
          for (const w of warmups) expect((await warm.verify(w)).ok).toBe(true);
          const cold = verifierFor({ k: { key } }, { now: () => NOW });
          expect(await warm.verify(request)).toEqual(await cold.verify(request));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
