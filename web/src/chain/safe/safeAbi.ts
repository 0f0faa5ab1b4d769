// The few Safe functions the dApp reads (Safe 1.3+ singleton, and isValidSignature of the
// CompatibilityFallbackHandler the Safe forwards it to). Not the full ABI: the page only
// reads owners, threshold and version, and asks the Safe whether a signature is valid.
export const safeAbi = [
  { type: "function", name: "getOwners", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "address[]" }] },
  { type: "function", name: "getThreshold", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256" }] },
  { type: "function", name: "VERSION", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "string" }] },
  {
    type: "function",
    name: "isValidSignature",
    stateMutability: "view",
    inputs: [
      { name: "_dataHash", type: "bytes32" },
      { name: "_signature", type: "bytes" },
    ],
    outputs: [{ name: "", type: "bytes4" }],
  },
] as const;

/** What ERC-1271 `isValidSignature(bytes32,bytes)` returns for a valid signature. */
export const erc1271MagicValue = "0x1626ba7e";
