import { join, relative } from "node:path";
import { choosePort, PortInUseError } from "../choosePort.ts";
import { startHardhatNode } from "../startHardhatNode.ts";
import type { DevService } from "../types.ts";

/**
 * `hardhat node` on 127.0.0.1. A busy default port (8545) falls back to a free
 * one with a warning, since every service of the stack is told the actual URL; a
 * port the user asked for explicitly is never silently replaced.
 */
export const hardhatNodeService: DevService = {
  name: "Hardhat node",
  async start(context) {
    const port = await choosePort({
      port: context.options.port,
      explicit: context.options.portExplicit,
      name: "Hardhat node (browser wallets need the URL printed below)",
      envVar: "KEYLEDGER_RPC_PORT or --port",
      say: context.say,
      busy: (busyPort) => new PortInUseError({ port: busyPort, envVar: "KEYLEDGER_RPC_PORT" }),
    });
    const logFile = join(context.stateDir, "node.log");
    context.say(`Starting the Hardhat node (output in ${relative(process.cwd(), logFile) || logFile})...`);
    const node = await startHardhatNode({ port, logFile });
    context.rpcUrl = node.rpcUrl;
    context.chainId = node.chainId;
    context.env.KEYLEDGER_RPC_URL = node.rpcUrl;
    context.env.KEYLEDGER_CHAIN_ID = String(node.chainId);
    return { url: node.rpcUrl, exited: node.exited, stop: node.stop };
  },
};
