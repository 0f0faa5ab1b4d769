import { join, resolve } from "node:path";
import { deploy } from "../../deploy/index.ts";
import type { DevService } from "../types.ts";

/** Deploys into the fresh node and publishes the manifest to later services. */
export const deployService: DevService = {
  name: "deploy",
  async start(context) {
    const { rpcUrl, chainId } = context;
    if (!rpcUrl || chainId === undefined) throw new Error("deploy needs a running node: start the Hardhat node service first.");
    const manifestPath = resolve(context.options.manifestPath ?? join(context.root, "deployments", `${chainId}.json`));
    context.say("Deploying the contracts...");
    const started = performance.now();
    context.manifest = await deploy({ rpcUrl, manifestPath, expectedChainId: chainId, params: context.options.params });
    context.manifestPath = manifestPath;
    context.env.KEYLEDGER_MANIFEST = manifestPath;
    context.say(`  Deployed in block ${context.manifest.deploymentBlock} (${Math.round(performance.now() - started)} ms).`);
  },
};
