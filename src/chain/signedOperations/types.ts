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

/** The registry's signed operations, by the name the relayer (`POST /v1/relay`) takes. */
export const registryOperationNames = ["register", "rotate", "revoke", "extendOverlap", "setRotator"] as const;

export type RegistryOperationName = (typeof registryOperationNames)[number];

/** One signed operation's own arguments (what the owner signs besides owner, nonce and deadline). */
export type RegistryOperation =
  | { operation: "register"; key: SignedNewKey; label: string }
  | { operation: "rotate"; oldKeyId: Hex; key: SignedNewKey; overlap: number }
  | { operation: "revoke"; keyId: Hex; reason: string }
  | { operation: "extendOverlap"; keyId: Hex; expiresAt: number }
  | {
      operation: "setRotator";
      /** The new rotator; the zero address removes it. */
      rotator: Address;
    };

/**
 * A signed operation as JSON (what `signRegistryOperation` returns and `POST /v1/relay`
 * takes): uint256 values as decimal strings, bytes as 0x-hex. `chainId`, `registry` and
 * `nonce` are optional for the relayer (it checks them when present, which turns a
 * signature for another chain or an already used nonce into a precise error instead of
 * `InvalidSignature`); `signRegistryOperation` always fills them in.
 */
export type RelayPayload = RegistryOperation & {
  chainId?: number | undefined;
  registry?: Address | undefined;
  owner: Address;
  /** `nonces(owner)` the signature was made with, decimal. */
  nonce?: string | undefined;
  /** Last block timestamp (unix seconds, decimal) at which the operation may be submitted. */
  deadline: string;
  /** The owner's signature: 65-byte ECDSA for an EOA, whatever its ERC-1271 `isValidSignature` accepts for a contract wallet. */
  signature: Hex;
};
