import type { Address, Hex } from "viem";

export type SafeMessageTypedDataParameters = {
  chainId: number;
  safe: Address;
  /** The 32-byte hash the Safe is asked to approve (here: the registry's EIP-712 digest). */
  message: Hex;
};

/**
 * The EIP-712 typed data a Safe owner signs so that the Safe's ERC-1271
 * `isValidSignature(message, …)` accepts it: `SafeMessage(bytes message)` in the Safe's own
 * domain (chainId and the Safe's address, no name or version, as Safe 1.3+ defines it).
 * The CompatibilityFallbackHandler hashes `abi.encode(dataHash)`, which for a bytes32 is
 * the hash itself, so `message` is the digest as is. Its `hashTypedData` is the SafeMessage
 * hash owners see in their wallet (and in Safe{Wallet}).
 */
export function safeMessageTypedData({ chainId, safe, message }: SafeMessageTypedDataParameters) {
  return {
    domain: { chainId, verifyingContract: safe },
    types: { SafeMessage: [{ name: "message", type: "bytes" }] },
    primaryType: "SafeMessage",
    message: { message },
  } as const;
}
