// `vite build --config web/vite.config.ts` and `vite --config web/vite.config.ts`.
// The servers read their chain from the environment; web/server.ts passes it explicitly.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { defineConfig } from "vite";
import { createViteConfig, webRoot } from "./viteConfig.ts";

export default defineConfig(({ command }) =>
  createViteConfig({
    manifestPath: process.env.KEYLEDGER_MANIFEST ?? resolve(webRoot, "../deployments/31337.json"),
    rpcUrl: process.env.KEYLEDGER_RPC_URL ?? "http://127.0.0.1:8545",
    apiUrl: process.env.KEYLEDGER_API_URL,
    indexerUrl: process.env.KEYLEDGER_INDEXER_URL,
    nonce: command === "serve" ? randomBytes(16).toString("base64") : undefined,
  }),
);
