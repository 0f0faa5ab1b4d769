import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bytesToBase64Url, ed25519PublicKeyProblem, generateKey, publicKeyToRaw } from "../../src/keys/index.ts";
import { publicKeyObject, staticKeyResolver } from "../../src/verifier/index.ts";

const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));
// The eight canonical encodings of the small-order points (the torsion subgroup).
const smallOrder = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
];
const nonCanonical = [
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (the identity again)
  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = 2^255 - 1, sign set
  "0100000000000000000000000000000000000000000000000000000000000080", // identity with x = -0
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = -1 with x = -0
];
const identity = hex(smallOrder[0]!);
const identityJwk = { kty: "OKP", crv: "Ed25519", x: bytesToBase64Url(identity) } as const;

describe("Ed25519 public keys", () => {
  it("the attack: node:crypto accepts the identity key with R = identity, S = 0 over any message", () => {
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    const key = createPublicKey({ key: identityJwk, format: "jwk" });
    expect(verify(null, Buffer.from("any request at all"), key, forged)).toBe(true);
  });

  it("refuses every small-order encoding", () => {
    for (const h of smallOrder) expect(ed25519PublicKeyProblem({ publicKey: hex(h) }), h).toBe("small-order");
  });

  it("refuses non-canonical encodings", () => {
    for (const h of nonCanonical) expect(ed25519PublicKeyProblem({ publicKey: hex(h) }), h).toBe("non-canonical");
  });

  it("refuses wrong lengths and points off the curve", () => {
    expect(ed25519PublicKeyProblem({ publicKey: new Uint8Array(31) })).toBe("length");
    // y = 2 is not the y of any point on edwards25519.
    expect(ed25519PublicKeyProblem({ publicKey: hex("02" + "00".repeat(31)) })).toBe("not-on-curve");
  });

  it("accepts real keys", async () => {
    for (let i = 0; i < 20; i++) {
      const key = await generateKey({ alg: "ed25519", label: "k" });
      expect(ed25519PublicKeyProblem({ publicKey: publicKeyToRaw({ publicKey: key.publicKey }).raw })).toBeUndefined();
    }
  });

  it("the SDK, publicKeyObject and staticKeyResolver refuse the identity key", () => {
    expect(() => publicKeyToRaw({ publicKey: identityJwk })).toThrow(/small-order/);
    expect(() => publicKeyObject({ alg: "ed25519", publicKey: identity })).toThrow(/small-order/);
    expect(() => publicKeyObject({ alg: "ed25519", publicKey: identityJwk })).toThrow(/small-order/);
    const keyId = "0x" + "11".repeat(32);
    expect(() => staticKeyResolver({ [keyId]: { alg: "ed25519", publicKey: identity, scopes: [] } })).toThrow(/small-order/);
  });
});
