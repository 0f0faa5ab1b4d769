import { erc1271Abi } from "../../../../src/chain/signedOperations/erc1271.ts";

// The few Safe functions the dApp reads (Safe 1.3+ singleton), plus ERC-1271
// isValidSignature, which the Safe forwards to its CompatibilityFallbackHandler. Not the
// full ABI: the page only reads owners, threshold and version, and asks the Safe whether a
// signature is valid.
export const safeAbi = [
  { type: "function", name: "getOwners", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "address[]" }] },
  { type: "function", name: "getThreshold", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256" }] },
  { type: "function", name: "VERSION", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "string" }] },
  ...erc1271Abi,
] as const;

export { erc1271MagicValue } from "../../../../src/chain/signedOperations/erc1271.ts";
