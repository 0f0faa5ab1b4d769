import type { Hex } from "viem";
import { registryDomain } from "./registryDomain.ts";
import { type SignedOperationBase, signedOperationTypes } from "./types.ts";

export type ExtendOverlapForTypedDataParameters = SignedOperationBase & { keyId: Hex; expiresAt: number };

/** Typed data the owner signs for `extendOverlapFor(owner, keyId, expiresAt, deadline, signature)`. */
export function extendOverlapForTypedData({ chainId, registry, owner, nonce, deadline, keyId, expiresAt }: ExtendOverlapForTypedDataParameters) {
  return {
    domain: registryDomain({ chainId, registry }),
    types: { ExtendOverlap: signedOperationTypes.ExtendOverlap },
    primaryType: "ExtendOverlap",
    message: { owner, keyId, expiresAt, nonce, deadline },
  } as const;
}
