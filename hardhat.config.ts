import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on machines without internet access, so we
// compile with the solcjs build that ships inside the pinned `solc` npm package.
const require = createRequire(import.meta.url);
const compiler = {
  version: require("solc/package.json").version as string,
  path: require.resolve("solc/soljson.js"),
};
// OpenZeppelin 5 uses mcopy (cancun); without the optimizer the Governor
// exceeds the 24,576-byte code size limit.
const settings = (runs: number) => ({ evmVersion: "cancun", optimizer: { enabled: true, runs } });
const solc = {
  compilers: [{ ...compiler, settings: settings(200) }],
  // The registry is called on every key operation, so it is tuned for call gas
  // rather than code size, as far as the 24,576-byte limit allows: with the rotator,
  // the EIP-712 signed operations and the guardian remover it is 24,735 bytes at
  // 1,000 runs (over) and 23,677 at 800 (899 bytes to spare); lower runs cost the
  // existing operations up to ~100 gas over 10,000 (README, Gas).
  overrides: {
    "contracts/KeyRegistry.sol": { ...compiler, settings: settings(800) },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: solc,
      production: solc,
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
