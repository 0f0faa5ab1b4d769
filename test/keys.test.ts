import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { algorithms, computeKeyId, generateKey, proofOfPossessionMessage, publicKeyToRaw, signProofOfPossession } from "../src/keys/index.ts";

const ctx = {
  chainId: 31337,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  owner: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
} as const;

describe("keys", () => {
  for (const alg of algorithms) {
    it(`${alg}: generates a key whose proof of possession verifies with node:crypto`, async () => {
      const key = await generateKey({ alg, label: "bot" });
      const raw = publicKeyToRaw({ publicKey: key.publicKey }).raw;
      expect(raw.length).toBe(alg === "ed25519" ? 32 : 33);
      expect(computeKeyId({ publicKey: raw })).toBe(key.keyId);
      const proof = await signProofOfPossession({ key, ...ctx });
      const message = proofOfPossessionMessage({ ...ctx, keyId: key.keyId });
      const pub = createPublicKey({ key: key.publicKey as never, format: "jwk" });
      const sig = Buffer.from(proof.slice(2), "hex");
      const ok =
        alg === "ed25519"
          ? verify(null, message, pub, sig)
          : verify("sha256", message, { key: pub, dsaEncoding: "ieee-p1363" }, sig);
      expect(ok).toBe(true);
      // Bound to the owner: the same proof does not hold for another wallet.
      const other = proofOfPossessionMessage({ ...ctx, owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", keyId: key.keyId });
      const okOther =
        alg === "ed25519"
          ? verify(null, other, pub, sig)
          : verify("sha256", other, { key: pub, dsaEncoding: "ieee-p1363" }, sig);
      expect(okOther).toBe(false);
    });
  }

  it("rejects labels that are empty or longer than 64 bytes", async () => {
    await expect(generateKey({ label: "" })).rejects.toThrow(/label must be 1..64 bytes/);
    await expect(generateKey({ label: "x".repeat(65) })).rejects.toThrow(/label must be 1..64 bytes/);
  });
});
