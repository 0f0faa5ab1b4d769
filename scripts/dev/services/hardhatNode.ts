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
    // A block every second besides automine, so chain time (and the dApp's "Voting opens in 1 s",
    // the timelock's ETA) moves on an idle chain. KEYLEDGER_BLOCK_INTERVAL=0 turns it off.
    const intervalMs = blockIntervalMs(process.env.KEYLEDGER_BLOCK_INTERVAL);
    if (intervalMs > 0) {
      try {
        await rpc(node.rpcUrl, "evm_setIntervalMining", [intervalMs]);
      } catch (error) {
        await node.stop();
        throw error;
      }
      context.say(`Mining a block every ${intervalMs} ms (automine stays on; KEYLEDGER_BLOCK_INTERVAL=0 turns it off).`);
    }
    context.rpcUrl = node.rpcUrl;
    context.chainId = node.chainId;
    context.env.KEYLEDGER_RPC_URL = node.rpcUrl;
    context.env.KEYLEDGER_CHAIN_ID = String(node.chainId);
    return { url: node.rpcUrl, exited: node.exited, stop: node.stop };
  },
};

/** KEYLEDGER_BLOCK_INTERVAL in ms (default 1000; 0 = automine only). */
export function blockIntervalMs(text: string | undefined): number {
  if (text === undefined || text === "") return 1000;
  if (!/^\d+$/.test(text)) throw new Error(`KEYLEDGER_BLOCK_INTERVAL must be milliseconds (0 = off), got "${text}".`);
  return Number(text);
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error) throw new Error(`${method} failed: ${body.error.message ?? "unknown error"}`);
  return body.result;
}
