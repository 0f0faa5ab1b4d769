import type { Address } from "viem";
import { registryDomain } from "./registryDomain.ts";
import { type SignedOperationBase, signedOperationTypes } from "./types.ts";

export type SetRotatorForTypedDataParameters = SignedOperationBase & {
  /** The new rotator; the zero address removes it. */
  rotator: Address;
};

/** Typed data the owner signs for `setRotatorFor(owner, rotator, deadline, signature)`. */
export function setRotatorForTypedData({ chainId, registry, owner, nonce, deadline, rotator }: SetRotatorForTypedDataParameters) {
  return {
    domain: registryDomain({ chainId, registry }),
    types: { SetRotator: signedOperationTypes.SetRotator },
    primaryType: "SetRotator",
    message: { owner, rotator, nonce, deadline },
  } as const;
}
