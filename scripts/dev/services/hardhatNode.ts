import { createServer } from "node:net";
import { join, relative } from "node:path";
import { BaseError } from "../../../src/errors/BaseError.ts";
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
    let port = context.options.port;
    if (port !== 0 && !(await portIsFree(port))) {
      if (context.options.portExplicit) throw new PortInUseError({ port });
      context.say(`Port ${port} on 127.0.0.1 is in use (another node or \`npm start\`?): using a free port instead.`);
      context.say("  Set KEYLEDGER_RPC_PORT (or --port) to pick one; browser wallets need the URL printed below.");
      port = 0;
    }
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

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

export class PortInUseError extends BaseError {
  override name = "PortInUseError";
  constructor({ port }: { port: number }) {
    super(`Port ${port} on 127.0.0.1 is already in use.`, {
      metaMessages: [
        "Stop whatever listens there (another `npm start`?), or choose another port:",
        "KEYLEDGER_RPC_PORT=8546 npm start   (0 = any free port)",
      ],
    });
  }
}
