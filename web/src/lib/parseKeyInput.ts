import type { Hex } from "viem";
import type { Algorithm } from "../../../src/keys/algorithms.ts";
import { computeKeyId, keyIdOwner } from "../../../src/keys/computeKeyId.ts";
import { algorithmOfJwk } from "../../../src/keys/jwk.ts";
import type { Jwk, KeyFile } from "../../../src/keys/types.ts";

export type ParseKeyInputReturnType =
  | { ok: true; key: KeyFile; alg: Algorithm; keyId: Hex; hasPrivateKey: boolean }
  | { ok: false; message: string };

/**
 * A pasted or loaded key: a KeyLedger key file (`keyledger keygen`), or a bare
 * public or private JWK. The key id is recomputed from the public key, never
 * trusted from the file: a file's id must be the key's owner-free id or the registry
 * id of the owner it names. The returned key carries the owner-free id; bind it to the
 * registering wallet with `bindKeyId`.
 */
export function parseKeyInput(text: string, label: string): ParseKeyInputReturnType {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: "This is not JSON. Paste a key file or a JWK." };
  }
  if (!json || typeof json !== "object") return { ok: false, message: "Expected a JSON object." };
  const file = json as Partial<KeyFile> & Partial<Jwk>;
  const publicJwk = (file.publicKey ?? (file.kty ? stripPrivate(file as Jwk) : undefined)) as Jwk | undefined;
  const privateJwk = (file.privateKey ?? (file.kty && file.d ? (file as Jwk) : undefined)) as Jwk | undefined;
  if (!publicJwk) return { ok: false, message: "No public key found: expected a key file with publicKey, or a JWK with kty/crv/x." };
  try {
    const alg = algorithmOfJwk(publicJwk);
    const keyId = computeKeyId({ publicKey: publicJwk });
    const claimed = typeof file.keyId === "string" ? file.keyId.toLowerCase() : undefined;
    if (claimed !== undefined && claimed !== keyId && !(/^0x[0-9a-f]{64}$/.test(claimed) && computeKeyId({ publicKey: publicJwk, owner: keyIdOwner(claimed as Hex) }) === claimed)) {
      return { ok: false, message: `The file says key id ${file.keyId}, which does not belong to its public key (its owner-free id is ${keyId}).` };
    }
    if (privateJwk) {
      if (privateJwk.x !== publicJwk.x || privateJwk.crv !== publicJwk.crv || typeof privateJwk.d !== "string") {
        return { ok: false, message: "The private key does not belong to the public key." };
      }
    }
    const key: KeyFile = {
      keyId,
      alg,
      label: typeof file.label === "string" && file.label ? file.label : label,
      publicKey: stripPrivate(publicJwk),
      ...(privateJwk ? { privateKey: privateJwk } : {}),
    };
    return { ok: true, key, alg, keyId, hasPrivateKey: Boolean(privateJwk) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
  }
}

function stripPrivate(jwk: Jwk): Jwk {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}) };
}
