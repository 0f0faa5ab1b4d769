// The KeyLedger indexer (Ponder). Addresses and the start block come from the
// deployment manifest the dev stack (or scripts/deploy.ts) writes; ABIs from src/generated.
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createConfig } from "ponder";
import { loadManifest } from "../src/chain/manifest.ts";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../src/generated/abis.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const manifest = loadManifest({ path: process.env.KEYLEDGER_MANIFEST || join(root, "deployments", "31337.json") });
const rpc = process.env.KEYLEDGER_RPC_URL || "http://127.0.0.1:8545";
const stateDir = resolve(process.env.KEYLEDGER_STATE_DIR || join(root, ".keyledger"));
const startBlock = manifest.deploymentBlock;

export default createConfig({
  // Postgres when DATABASE_URL is set (production: several dApp/API instances share one
  // indexer); otherwise embedded PGlite, one directory per deployment so that a fresh dev
  // chain never resumes from another chain's rows.
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : {
        kind: "pglite",
        directory:
          process.env.KEYLEDGER_INDEXER_PGLITE ||
          join(stateDir, "indexer", `${manifest.chainId}-${manifest.deploymentBlockHash.slice(2, 14)}`),
      },
  chains: {
    keyledger: {
      id: manifest.chainId,
      rpc,
      // A local node mines a block per transaction; poll often so a change shows within ~2 s.
      pollingInterval: Number(process.env.KEYLEDGER_INDEXER_POLL_MS || 250),
      // Ponder's RPC cache is keyed by chain id; a restarted dev chain reuses 31337 with other blocks.
      disableCache: manifest.chainId === 31337,
    },
  },
  contracts: {
    KeyRegistry: { chain: "keyledger", abi: keyRegistryAbi, address: manifest.contracts.KeyRegistry.address, startBlock },
    KeyLedgerGovernor: { chain: "keyledger", abi: keyLedgerGovernorAbi, address: manifest.contracts.KeyLedgerGovernor.address, startBlock },
  },
});
