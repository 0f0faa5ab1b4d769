// Interop with an independent RFC 9421 implementation, the `http-message-signatures`
// package: its signatures verify with our verifier, ours with its verifier.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { createSigner, createVerifier as theirVerifier, httpbis } from "http-message-signatures";
import { describe, expect, it } from "vitest";
import { generateKey } from "../../src/keys/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { sha256Digest } from "./helpers.ts";

const fields = ["@method", "@authority", "@path", "@query", "content-digest"];
const body = '{"pair":"ETH-USD","side":"sell","amount":"0.25"}';

describe("interop with http-message-signatures", () => {
  for (const alg of ["ed25519", "ecdsa-p256-sha256"] as const) {
    it(`${alg}: their signature verifies with our verifier`, async () => {
      const key = await generateKey({ alg, label: "interop" });
      const signer = createSigner(createPrivateKey({ key: key.privateKey as never, format: "jwk" }), alg, key.keyId);
      const signed = await httpbis.signMessage(
        { key: signer, fields, params: ["keyid", "alg", "created", "nonce"], paramValues: { nonce: "their-nonce-1" } },
        {
          method: "POST",
          url: "https://api.example.com/v1/orders?venue=main",
          headers: { "content-type": "application/json", "content-digest": sha256Digest(body) },
        },
      );
      const verifier = createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg, publicKey: key.publicKey } }) });
      const result = await verifier.verify({ method: signed.method, url: String(signed.url), headers: signed.headers as Record<string, string>, body });
      expect(result.ok ? "ok" : result.message).toBe("ok");
      // And a tampered copy does not.
      const tampered = await createVerifier({ keys: staticKeyResolver({ [key.keyId]: { alg, publicKey: key.publicKey } }) }).verify({
        method: "PUT",
        url: String(signed.url),
        headers: signed.headers as Record<string, string>,
        body,
      });
      expect(tampered.ok ? "ok" : tampered.reason).toBe("bad-signature");
    });

    it(`${alg}: our signature verifies with their verifier`, async () => {
      const key = await generateKey({ alg, label: "interop" });
      const signed = await signRequest(
        { method: "POST", url: "https://api.example.com/v1/orders?venue=main", headers: { "content-type": "application/json" }, body },
        { key },
      );
      const publicKey = createPublicKey({ key: key.publicKey as never, format: "jwk" });
      const keyLookup = async (params: { keyid?: string }) =>
        params.keyid === key.keyId ? { id: key.keyId, algs: [alg], verify: theirVerifier(publicKey, alg) } : null;
      const message = { method: signed.method, url: signed.url as string, headers: signed.headers as Record<string, string> };
      await expect(httpbis.verifyMessage({ keyLookup, requiredFields: fields, requiredParams: ["created", "nonce", "keyid"] }, message)).resolves.toBe(true);
      await expect(httpbis.verifyMessage({ keyLookup }, { ...message, url: message.url.replace("venue=main", "venue=other") })).resolves.toBe(false);
    });
  }
});
