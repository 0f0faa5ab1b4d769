import { bytesToHex, type Address, type Hex } from "viem";
import { algorithmToChain, computeKeyId, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../keys/index.ts";
import type { ChainContext } from "./connectChain.ts";

export type ChainNewKeyParameters = { context: ChainContext; key: KeyFile; owner: Address; scopes: number; notBefore: number; expiresAt: number };

/**
 * The registry's `NewKey` for `register` and `rotate` (proof of possession signed for
 * `owner`), and the registry id the key gets under that owner.
 */
export async function chainNewKey({ context, key, owner, scopes, notBefore, expiresAt }: ChainNewKeyParameters) {
  const proof: Hex = await signProofOfPossession({ key, chainId: context.chain.id, registry: context.registry, owner });
  return {
    keyId: computeKeyId({ publicKey: key.publicKey, owner }),
    newKey: { algorithm: algorithmToChain(key.alg), publicKey: bytesToHex(publicKeyToRaw({ publicKey: key.publicKey }).raw), scopes, notBefore, expiresAt, proof },
  };
}
