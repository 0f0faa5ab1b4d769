// ERC-1271: how a contract wallet (a Safe) says a signature is its own. Shared by the
// relayer's off-chain check and the dApp's check before it submits a Safe's operation.
export const erc1271Abi = [
  {
    type: "function",
    name: "isValidSignature",
    stateMutability: "view",
    inputs: [
      { name: "hash", type: "bytes32" },
      { name: "signature", type: "bytes" },
    ],
    outputs: [{ name: "", type: "bytes4" }],
  },
] as const;

/** What `isValidSignature(bytes32,bytes)` returns for a valid signature. */
export const erc1271MagicValue = "0x1626ba7e";
