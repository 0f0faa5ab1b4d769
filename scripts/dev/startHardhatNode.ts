import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ChildProcessError, exitWithParentFlags, startChildProcess } from "./startChildProcess.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export type StartHardhatNodeParameters = {
  /** 0 (the default) lets the OS pick a free port; the node reports which. */
  port?: number | undefined;
  hostname?: string | undefined;
  /** File that receives the node's output (it logs every RPC call). Default: kept in memory only for error messages. */
  logFile?: string | undefined;
  readyTimeoutMs?: number | undefined;
};

export type StartHardhatNodeReturnType = {
  rpcUrl: string;
  port: number;
  chainId: number;
  pid: number;
  /** Settles with the exit code (or signal name) when the node ends, for whatever reason. */
  exited: Promise<number | string>;
  /** Stops the node; safe to call more than once. */
  stop(): Promise<void>;
};

/**
 * Starts `hardhat node` as a child process and resolves once it answers JSON-RPC.
 * The node exits with its parent: on `stop()`, on the parent's exit, and when the
 * parent is killed (see startChildProcess).
 */
export async function startHardhatNode(parameters: StartHardhatNodeParameters = {}): Promise<StartHardhatNodeReturnType> {
  const { port = 0, hostname = "127.0.0.1", logFile, readyTimeoutMs } = parameters;
  const node = await startChildProcess({
    name: "Hardhat node",
    command: process.execPath,
    args: [...exitWithParentFlags, hardhatCli(), "node", "--hostname", hostname, "--port", String(port)],
    cwd: root,
    logFile,
    ready: /JSON-RPC server at (http:\/\/[^\s/]+)/,
    readyTimeoutMs,
  });
  try {
    const rpcUrl = node.match!;
    const chainId = await chainIdOf(rpcUrl);
    return { rpcUrl, port: Number(new URL(rpcUrl).port), chainId, pid: node.pid, exited: node.exited, stop: node.stop };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

async function chainIdOf(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  const body = (await response.json()) as { result?: string };
  if (!body.result) throw new ChildProcessError({ message: `The Hardhat node at ${rpcUrl} did not answer eth_chainId.` });
  return Number(body.result);
}

function hardhatCli(): string {
  // hardhat does not export its package.json, so walk up from its entry point.
  let dir = dirname(fileURLToPath(import.meta.resolve("hardhat")));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; bin?: { hardhat?: string } };
      if (pkg.name === "hardhat" && pkg.bin?.hardhat) return join(dir, pkg.bin.hardhat);
    }
    dir = dirname(dir);
  }
  throw new ChildProcessError({ message: "Cannot find the hardhat CLI: run `npm install`." });
}
