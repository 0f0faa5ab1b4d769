import { computeKeyId, type KeyFile } from "../keys/index.ts";

/**
 * The AES-GCM associated data of an encrypted key file: the ciphertext is bound to
 * its public key (through the owner-free id keccak256(raw key)) and algorithm, so it
 * does not decrypt under another key. Not bound to the `keyId` field, which changes
 * from the owner-free id to the registry's owner-namespaced id when the key is
 * registered; files written before registry v2 used the owner-free id, so they read.
 */
export function keyFileAad(key: Pick<KeyFile, "publicKey" | "alg">): Uint8Array {
  return new TextEncoder().encode(`keyledger key file v1\n${computeKeyId({ publicKey: key.publicKey })}\n${key.alg}`);
}
