import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { type Address, bytesToBigInt, concat, type Hex, hexToBytes, isAddress, isHex, numberToBytes, numberToHex, pad, stringToHex, toHex } from "viem";
import { computeKeyId } from "./computeKeyId.ts";
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

/**
 * Signs the proof-of-possession message with the key being registered, for the
 * registry id `owner` gets for it (whatever id the key file carries so far).
 * ECDSA signatures are normalized to low s: the registry checks P-256 proofs on
 * chain with OpenZeppelin's P256, which refuses the malleable high-s twin.
 */
export async function signProofOfPossession({ key, ...rest }: SignProofOfPossessionParameters): Promise<Hex> {
  if (!key.privateKey) throw new BaseError("Cannot prove possession: the key file has no private key.");
  const keyId = computeKeyId({ publicKey: key.publicKey, owner: rest.owner });
  const message = proofOfPossessionMessage({ ...rest, keyId });
  const signature = await signBytes({ privateKey: key.privateKey, data: message });
  return toHex(key.alg === "ed25519" ? signature : lowS(signature, key.alg === "ecdsa-p256-sha256" ? p256.CURVE.n : secp256k1.CURVE.n));
}

function lowS(signature: Uint8Array, n: bigint): Uint8Array {
  const s = bytesToBigInt(signature.subarray(32, 64));
  if (s <= n / 2n) return signature;
  return new Uint8Array([...signature.subarray(0, 32), ...numberToBytes(n - s, { size: 32 })]);
}
