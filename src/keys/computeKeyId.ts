import { type Address, concat, getAddress, type Hex, isAddress, keccak256, toHex } from "viem";
import { BaseError } from "../errors/BaseError.ts";
import { publicKeyToRaw } from "./publicKeyToRaw.ts";
import type { Jwk } from "./types.ts";

export type ComputeKeyIdParameters = {
  publicKey: Jwk | Uint8Array;
  /**
   * The wallet that registers (or registered) the key. With it: the registry's id,
   * `owner (20 bytes) || low 12 bytes of keccak256(owner || raw key)`. Without it: the
   * owner-free id `keccak256(raw key)` that a key file carries until it is registered
   * and that static (non-chain) keys keep.
   */
  owner?: Address | undefined;
};

/**
 * A key's id. Chain ids are namespaced per owner, as `KeyRegistry.computeKeyId`
 * computes them, so that nobody can squat another wallet's key id.
 */
export function computeKeyId({ publicKey, owner }: ComputeKeyIdParameters): Hex {
  const raw = publicKey instanceof Uint8Array ? publicKey : publicKeyToRaw({ publicKey }).raw;
  if (owner === undefined) return keccak256(raw);
  if (!isAddress(owner, { strict: false })) throw new BaseError(`Invalid key owner "${String(owner)}": expected a 0x-address.`);
  const tail = keccak256(concat([owner, toHex(raw)])).slice(-24);
  return `${owner.toLowerCase()}${tail}` as Hex;
}

/** The owner a registry key id names (its first 20 bytes), checksummed. */
export function keyIdOwner(keyId: Hex): Address {
  return getAddress(keyId.slice(0, 42));
}

export type BindKeyIdParameters<K extends { keyId: Hex; publicKey: Jwk }> = { key: K; owner: Address };

/** The key file with the registry id it gets when `owner` registers it. */
export function bindKeyId<K extends { keyId: Hex; publicKey: Jwk }>({ key, owner }: BindKeyIdParameters<K>): K {
  return { ...key, keyId: computeKeyId({ publicKey: key.publicKey, owner }) };
}
