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
      // The registry id is namespaced per owner: the owner's address, then 12 bytes of keccak256(owner || raw key).
      const keyId = computeKeyId({ publicKey: raw, owner: ctx.owner });
      expect(keyId.slice(0, 42)).toBe(ctx.owner.toLowerCase());
      expect(keyId).not.toBe(computeKeyId({ publicKey: raw, owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }));
      const proof = await signProofOfPossession({ key, ...ctx });
      const message = proofOfPossessionMessage({ ...ctx, keyId });
      const pub = createPublicKey({ key: key.publicKey as never, format: "jwk" });
      const sig = Buffer.from(proof.slice(2), "hex");
      const ok =
        alg === "ed25519"
          ? verify(null, message, pub, sig)
          : verify("sha256", message, { key: pub, dsaEncoding: "ieee-p1363" }, sig);
      expect(ok).toBe(true);
      // Bound to the owner: the same proof does not hold for another wallet.
      const other = proofOfPossessionMessage({ ...ctx, owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", keyId });
      const okOther =
        alg === "ed25519"
          ? verify(null, other, pub, sig)
          : verify("sha256", other, { key: pub, dsaEncoding: "ieee-p1363" }, sig);
      expect(okOther).toBe(false);
      if (alg !== "ed25519") {
        // Low s: the registry's on-chain P-256 check (OpenZeppelin P256) refuses the high-s twin.
        const n = alg === "ecdsa-p256-sha256" ? 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n : 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        expect(BigInt(`0x${proof.slice(66)}`) <= n / 2n).toBe(true);
      }
    });
  }

  it("rejects labels that are empty or longer than 64 bytes", async () => {
    await expect(generateKey({ label: "" })).rejects.toThrow(/label must be 1..64 bytes/);
    await expect(generateKey({ label: "x".repeat(65) })).rejects.toThrow(/label must be 1..64 bytes/);
  });
});
