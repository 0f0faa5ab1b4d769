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
  // rather than code size, as far as the 24,576-byte limit allows: with the rotator
  // and the EIP-712 signed operations it is 26,611 bytes at 10,000 runs, 25,080 at
  // 2,000 and 24,272 at 1,000 (304 bytes to spare); 1,000 runs costs the existing
  // operations up to 90 gas over 10,000 (25 per key of a batch; README, Gas).
  overrides: {
    "contracts/KeyRegistry.sol": { ...compiler, settings: settings(1_000) },
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
