import type { Address, Hex } from "viem";
import type { RegistryOperation } from "../../../../src/chain/signedOperations/types.ts";

/** The `kind` of a signing request file, so that another JSON file is told apart at once. */
export const safeSigningRequestKind = "keyledger-safe-signing-request";

/** One owner's signature over the request's SafeMessage hash (65 bytes, r ‖ s ‖ v). */
export type SafeOwnerSignature = { owner: Address; signature: Hex };

/**
 * A registry operation a Safe is to authorize, and the owners' signatures collected so
 * far: what the page exports and imports as a small JSON file, passed from owner to owner.
 * Plain JSON (uint256 as decimal strings); the hashes are recomputed on import, never trusted.
 */
export type SafeSigningRequest = {
  kind: typeof safeSigningRequestKind;
  version: 1;
  chainId: number;
  registry: Address;
  safe: Address;
  /** Owners and threshold as read on chain when the request was made (informative: the chain is re-read). */
  owners: Address[];
  threshold: number;
  /** `nonces(safe)` on the registry the operation uses, decimal. */
  nonce: string;
  /** Last block timestamp (unix seconds, decimal) at which the operation may be submitted. */
  deadline: string;
  operation: RegistryOperation;
  /** The registry's EIP-712 digest of the operation: what the registry asks the Safe to approve. */
  registryDigest: Hex;
  /** The SafeMessage hash each owner signs (`safeMessageTypedData` of `registryDigest`). */
  safeMessageHash: Hex;
  signatures: SafeOwnerSignature[];
};
