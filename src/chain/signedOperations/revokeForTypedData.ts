import type { Hex } from "viem";
import { registryDomain } from "./registryDomain.ts";
import { type SignedOperationBase, signedOperationTypes } from "./types.ts";

export type RevokeForTypedDataParameters = SignedOperationBase & { keyId: Hex; reason: string };

/** Typed data the owner signs for `revokeFor(owner, keyId, reason, deadline, signature)`. */
export function revokeForTypedData({ chainId, registry, owner, nonce, deadline, keyId, reason }: RevokeForTypedDataParameters) {
  return {
    domain: registryDomain({ chainId, registry }),
    types: { Revoke: signedOperationTypes.Revoke },
    primaryType: "Revoke",
    message: { owner, keyId, reason, nonce, deadline },
  } as const;
}
