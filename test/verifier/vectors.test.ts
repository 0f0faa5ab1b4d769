// The profile test vectors in test/vectors/ (written by scripts/gen-vectors.ts):
// each request's signature base and verdict at the vector's fixed clock.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Item, parseDictionary } from "structured-headers";
import { describe, expect, it } from "vitest";
import { buildVectors, type Vector, vectorFileText } from "../../scripts/gen-vectors.ts";
import { collectFields, createSignatureBase, parseRequestTarget } from "../../src/profile/index.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "vectors");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const vectors = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Vector);

describe("profile test vectors", () => {
  it("cover every algorithm, accepted and rejected requests", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(new Set(vectors.map((v) => v.key.alg)).size).toBe(3);
    expect(vectors.some((v) => v.expected.verdict.ok) && vectors.some((v) => !v.expected.verdict.ok)).toBe(true);
  });

  it("are what scripts/gen-vectors.ts generates (deterministic keys and signatures)", () => {
    const generated = buildVectors();
    expect(generated.map((v) => `${v.name}.json`).sort()).toEqual(files);
    for (const vector of generated) expect(vectorFileText(vector)).toBe(readFileSync(join(dir, `${vector.name}.json`), "utf8"));
  });

  for (const vector of vectors) {
    it(`${vector.name}: signature base and verdict`, async () => {
      const { request } = vector;
      const input = request.headers.find(([n]) => n.toLowerCase() === "signature-input")![1];
      const [components, parameters] = [...parseDictionary(input).values()][0] as [Item[], Map<string, never>];
      const target = parseRequestTarget(request.url);
      const fields = collectFields(request.headers);
      if (!target.ok || !fields.ok) throw new Error("vector request");
      const built = createSignatureBase({ message: { method: request.method, ...target.value, fields: fields.value }, components, parameters });
      expect(built.ok && built.value.base).toBe(vector.expected.signatureBase);

      const verifier = createVerifier({
        keys: staticKeyResolver({ [vector.key.keyId]: { alg: vector.key.alg, publicKey: vector.key.publicKey, scopes: vector.key.scopes } }),
        now: () => vector.verifier.now,
        maxAgeSeconds: vector.verifier.maxAgeSeconds,
        clockSkewSeconds: vector.verifier.clockSkewSeconds,
      });
      const result = await verifier.verify(request, { requiredScopes: vector.verifier.requiredScopes });
      if (vector.expected.verdict.ok) expect(result).toMatchObject(vector.expected.verdict);
      else expect(result.ok ? "ok" : result.reason).toBe(vector.expected.verdict.reason);
    });
  }
});
