import { registryDomain } from "./registryDomain.ts";
import { type SignedNewKey, type SignedOperationBase, signedOperationTypes } from "./types.ts";

export type RegisterForTypedDataParameters = SignedOperationBase & { key: SignedNewKey; label: string };

/**
 * Typed data the owner signs for `registerFor(owner, key, label, deadline, signature)`:
 * pass it to viem's `signTypedData` (or `hashTypedData`). `key.proof` must be signed for
 * `owner` (`signProofOfPossession`), whoever submits.
 */
export function registerForTypedData({ chainId, registry, owner, nonce, deadline, key, label }: RegisterForTypedDataParameters) {
  return {
    domain: registryDomain({ chainId, registry }),
    types: { Register: signedOperationTypes.Register, NewKey: signedOperationTypes.NewKey },
    primaryType: "Register",
    message: { owner, key, label, nonce, deadline },
  } as const;
}
