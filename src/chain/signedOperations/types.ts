import type { Address, Hex } from "viem";

/**
 * EIP-712 types of the registry's signed operations, exactly as KeyRegistry hashes
 * them (`REGISTER_TYPEHASH`, ...). Every struct name is distinct; every message binds
 * the owner, the owner's nonce (`nonces(owner)`) and a deadline. `NewKey` mirrors
 * `IKeyRegistry.NewKey` and is nested in `Register` and `Rotate`.
 */
export const signedOperationTypes = {
  NewKey: [
    { name: "algorithm", type: "uint8" },
    { name: "publicKey", type: "bytes" },
    { name: "scopes", type: "uint8" },
    { name: "notBefore", type: "uint32" },
    { name: "expiresAt", type: "uint32" },
    { name: "proof", type: "bytes" },
  ],
  Register: [
    { name: "owner", type: "address" },
    { name: "key", type: "NewKey" },
    { name: "label", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Rotate: [
    { name: "owner", type: "address" },
    { name: "oldKeyId", type: "bytes32" },
    { name: "key", type: "NewKey" },
    { name: "overlap", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Revoke: [
    { name: "owner", type: "address" },
    { name: "keyId", type: "bytes32" },
    { name: "reason", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  ExtendOverlap: [
    { name: "owner", type: "address" },
    { name: "keyId", type: "bytes32" },
    { name: "expiresAt", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  SetRotator: [
    { name: "owner", type: "address" },
    { name: "rotator", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The registry's EIP-712 domain name and version (`KeyRegistry`'s `EIP712` constructor). */
export const registryDomainName = "KeyLedger KeyRegistry";
export const registryDomainVersion = "2";

/** `IKeyRegistry.NewKey`: the arguments of a new key (`register`, `rotate` and their signed variants). */
export type SignedNewKey = {
  algorithm: number;
  publicKey: Hex;
  scopes: number;
  notBefore: number;
  expiresAt: number;
  proof: Hex;
};

/** What every signed operation binds besides its own arguments. */
export type SignedOperationBase = {
  chainId: number | bigint;
  /** The KeyRegistry the signature is for (the domain's verifyingContract). */
  registry: Address;
  /** The signer: the key owner (an EOA, or an ERC-1271 wallet such as a Safe). */
  owner: Address;
  /** `nonces(owner)` at submission time. */
  nonce: bigint;
  /** Last block timestamp (seconds) at which the signature may be submitted. */
  deadline: bigint;
};
