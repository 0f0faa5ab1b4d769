import { type Hex, keccak256 } from "viem";
import { publicKeyToRaw } from "./publicKeyToRaw.ts";
import type { Jwk } from "./types.ts";

export type ComputeKeyIdParameters = { publicKey: Jwk | Uint8Array };

/** `keyId = keccak256(raw public key bytes)`, as the registry computes it. */
export function computeKeyId({ publicKey }: ComputeKeyIdParameters): Hex {
  const raw = publicKey instanceof Uint8Array ? publicKey : publicKeyToRaw({ publicKey }).raw;
  return keccak256(raw);
}
