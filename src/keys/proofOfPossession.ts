import { type Address, concat, type Hex, hexToBytes, isAddress, isHex, numberToHex, pad, stringToHex, toHex } from "viem";
import { BaseError } from "../errors/BaseError.ts";
import { signBytes } from "./signBytes.ts";
import type { KeyFile } from "./types.ts";

export type ProofOfPossessionMessageParameters = {
  chainId: number | bigint;
  registry: Address;
  owner: Address;
  keyId: Hex;
};

/**
 * The bytes a new key signs to prove possession, identical to
 * `KeyRegistry.proofOfPossessionMessage`: "KeyLedger proof of possession v1" (32 bytes)
 * || chainId (uint256) || registry (20) || owner (20) || keyId (32).
 */
export function proofOfPossessionMessage({ chainId, registry, owner, keyId }: ProofOfPossessionMessageParameters): Uint8Array {
  if (!isAddress(registry, { strict: false }) || !isAddress(owner, { strict: false })) {
    throw new BaseError("Invalid proof-of-possession input: registry and owner must be addresses.");
  }
  if (!isHex(keyId) || keyId.length !== 66) throw new BaseError(`Invalid key id "${String(keyId)}": expected 32 bytes of 0x-hex.`);
  return hexToBytes(
    concat([stringToHex("KeyLedger proof of possession v1"), pad(numberToHex(chainId), { size: 32 }), registry, owner, keyId]),
  );
}

export type SignProofOfPossessionParameters = Omit<ProofOfPossessionMessageParameters, "keyId"> & { key: KeyFile };

/** Signs the proof-of-possession message with the key being registered. */
export async function signProofOfPossession({ key, ...rest }: SignProofOfPossessionParameters): Promise<Hex> {
  if (!key.privateKey) throw new BaseError("Cannot prove possession: the key file has no private key.");
  const message = proofOfPossessionMessage({ ...rest, keyId: key.keyId });
  return toHex(await signBytes({ privateKey: key.privateKey, data: message }));
}
