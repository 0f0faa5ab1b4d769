import type { Hex } from "viem";
import { computeKeyId, keyIdOwner } from "../../../src/keys/computeKeyId.ts";
import type { Jwk } from "../../../src/keys/types.ts";

/**
 * Whether `publicKey` is the key `keyId` names: the registry id of the owner the id's
 * first 20 bytes name, or the owner-free id a key file carries before registration.
 * A key file loaded for a registered key may still carry the owner-free id.
 */
export function keyBelongsTo(keyId: Hex, publicKey: Jwk): boolean {
  const id = keyId.toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(id)) return false;
  try {
    return computeKeyId({ publicKey }) === id || computeKeyId({ publicKey, owner: keyIdOwner(id as Hex) }) === id;
  } catch {
    return false;
  }
}
