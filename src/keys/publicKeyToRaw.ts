import type { Algorithm } from "./algorithms.ts";
import { ed25519PublicKeyProblem } from "./ed25519PublicKeyProblem.ts";
import { algorithmOfJwk, base64UrlToBytes, InvalidKeyError } from "./jwk.ts";
import type { Jwk } from "./types.ts";

export type PublicKeyToRawParameters = { publicKey: Jwk };
export type PublicKeyToRawReturnType = { alg: Algorithm; raw: Uint8Array };

/**
 * The raw public key bytes that the registry hashes into a key id: 32 bytes for
 * Ed25519, 33-byte compressed SEC1 (0x02/0x03 || x) for the ECDSA curves.
 */
export function publicKeyToRaw({ publicKey }: PublicKeyToRawParameters): PublicKeyToRawReturnType {
  const alg = algorithmOfJwk(publicKey);
  const x = base64UrlToBytes(publicKey.x);
  if (alg === "ed25519") {
    if (x.length !== 32) throw new InvalidKeyError({ reason: `Ed25519 x must be 32 bytes, got ${x.length}` });
    const problem = ed25519PublicKeyProblem({ publicKey: x });
    if (problem) throw new InvalidKeyError({ reason: `the Ed25519 public key is unusable (${problem}; small-order and non-canonical keys are refused)` });
    return { alg, raw: x };
  }
  if (typeof publicKey.y !== "string") throw new InvalidKeyError({ reason: "EC JWK is missing y" });
  const y = base64UrlToBytes(publicKey.y);
  if (x.length !== 32 || y.length !== 32) {
    throw new InvalidKeyError({ reason: `EC x and y must be 32 bytes, got ${x.length} and ${y.length}` });
  }
  const raw = new Uint8Array(33);
  raw[0] = (y[31]! & 1) === 1 ? 0x03 : 0x02;
  raw.set(x, 1);
  return { alg, raw };
}
