import type { Hex } from "viem";
import { registryDomain } from "./registryDomain.ts";
import { type SignedNewKey, type SignedOperationBase, signedOperationTypes } from "./types.ts";

export type RotateForTypedDataParameters = SignedOperationBase & { oldKeyId: Hex; key: SignedNewKey; overlap: number };

/** Typed data the owner signs for `rotateFor(owner, oldKeyId, key, overlap, deadline, signature)`. */
export function rotateForTypedData({ chainId, registry, owner, nonce, deadline, oldKeyId, key, overlap }: RotateForTypedDataParameters) {
  return {
    domain: registryDomain({ chainId, registry }),
    types: { Rotate: signedOperationTypes.Rotate, NewKey: signedOperationTypes.NewKey },
    primaryType: "Rotate",
    message: { owner, oldKeyId, key, overlap, nonce, deadline },
  } as const;
}
