import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import type { InlineConfig, Plugin } from "vite";
import { contentSecurityPolicy } from "./contentSecurityPolicy.ts";
import { runtimePlugin, type RuntimePluginParameters } from "./runtimePlugin.ts";

export type CreateViteConfigParameters = RuntimePluginParameters;

export const webRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dApp's Vite configuration. The bundle holds no chain, address or URL: those
 * come at run time from `/config.json` and `/deployment.json`.
 */
export function createViteConfig(parameters: CreateViteConfigParameters): InlineConfig {
  return {
    root: webRoot,
    base: "./",
    envPrefix: "KEYLEDGER_PUBLIC_",
    plugins: [react(), runtimePlugin(parameters), staticCspMeta()],
    server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
    build: {
      outDir: "dist",
      emptyOutDir: true,
      target: "es2022",
      sourcemap: false,
      // The web3 vendor chunk (viem + wagmi) is ~360 kB raw, ~110 kB gzipped; the
      // budget that matters, first-page gzipped JS, is checked by the browser test.
      chunkSizeWarningLimit: 500,
      rolldownOptions: {
        output: {
          // Libraries change less often than our code: separate chunks stay cached across releases.
          codeSplitting: {
            groups: [
              { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
              {
                name: "web3",
                test: /node_modules[\\/](viem|ox|abitype|wagmi|@wagmi|@tanstack|mipd|zustand|eventemitter3|use-sync-external-store)[\\/]/,
                priority: 2,
              },
            ],
          },
        },
      },
    },
  };
}

/**
 * A static copy of the bundle may be hosted without our server's headers, so the
 * built page carries a CSP of its own. It cannot know the RPC origin, so it allows
 * any https/wss endpoint and loopback; the server's header narrows that further.
 */
function staticCspMeta(): Plugin {
  const policy = contentSecurityPolicy({
    connect: ["https:", "wss:", "http://127.0.0.1:*", "http://localhost:*"],
  })
    .split("; ")
    // Browsers ignore frame-ancestors in a meta tag and warn about it.
    .filter((directive) => !directive.startsWith("frame-ancestors"))
    .join("; ");
  return {
    name: "keyledger-csp-meta",
    apply: "build",
    transformIndexHtml: () => [
      { tag: "meta", attrs: { "http-equiv": "Content-Security-Policy", content: policy }, injectTo: "head-prepend" },
    ],
  };
}
