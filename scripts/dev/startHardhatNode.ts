import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseError } from "../../src/errors/BaseError.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const exitWithParent = fileURLToPath(new URL("./exitWithParent.ts", import.meta.url));

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
  /** Resolves with the exit code (or signal name) when the node ends, for whatever reason. */
  exited: Promise<number | string>;
  /** Stops the node and everything it started; safe to call more than once. */
  stop(): Promise<void>;
};

/**
 * Starts `hardhat node` as a child process in its own process group and resolves
 * once it answers JSON-RPC. The node exits with its parent: on `stop()`, on the
 * parent's normal exit, and (through `exitWithParent.ts`) when the parent is killed.
 */
export async function startHardhatNode(parameters: StartHardhatNodeParameters = {}): Promise<StartHardhatNodeReturnType> {
  const { port = 0, hostname = "127.0.0.1", logFile, readyTimeoutMs = 60_000 } = parameters;
  const child = spawn(
    process.execPath,
    ["--import", exitWithParent, hardhatCli(), "node", "--hostname", hostname, "--port", String(port)],
    {
      cwd: root,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((done) => child.once("error", done));
    throw new HardhatNodeError({ message: "Could not start the Hardhat node.", cause: error });
  }
  live.add(pid);
  const exited = new Promise<number | string>((done) => {
    child.once("exit", (code, signal) => {
      live.delete(pid);
      done(code ?? signal ?? "unknown");
    });
  });

  const log = logFile ? createWriteStream(logFile, { flags: "w" }) : undefined;
  void exited.then(() => log?.end());
  let tail = "";
  let announced: ((url: string) => void) | undefined;
  const urlSeen = new Promise<string>((done) => (announced = done));
  const onOutput = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4_000);
    const match = /JSON-RPC server at (http:\/\/[^\s/]+)/.exec(tail);
    if (match?.[1] && announced) {
      announced(match[1]);
      announced = undefined;
    }
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);

  const stop = () => stopChild(child, pid, exited);
  let timer: NodeJS.Timeout | undefined;
  try {
    const rpcUrl = await Promise.race([
      urlSeen,
      exited.then((code) => {
        throw new HardhatNodeError({ message: `The Hardhat node exited (${code}) before it was ready.`, output: tail });
      }),
      new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new HardhatNodeError({ message: `The Hardhat node was not ready after ${readyTimeoutMs} ms.`, output: tail })),
          readyTimeoutMs,
        );
      }),
    ]);
    const chainId = await answers(rpcUrl);
    return { rpcUrl, port: Number(new URL(rpcUrl).port), chainId, pid, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function answers(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  const body = (await response.json()) as { result?: string };
  if (!body.result) throw new HardhatNodeError({ message: `The Hardhat node at ${rpcUrl} did not answer eth_chainId.` });
  return Number(body.result);
}

async function stopChild(child: ChildProcess, pid: number, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), 5_000)));
  if ((await Promise.race([exited, gaveUp])) === "timeout") {
    signalGroup(pid, "SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

// Process groups still running; killed synchronously when this process exits.
const live = new Set<number>();
process.on("exit", () => {
  for (const pid of live) signalGroup(pid, "SIGKILL");
});

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
  throw new HardhatNodeError({ message: "Cannot find the hardhat CLI: run `npm install`." });
}

export class HardhatNodeError extends BaseError {
  override name = "HardhatNodeError";
  constructor({ message, output, cause }: { message: string; output?: string; cause?: unknown }) {
    const lines = output?.trim().split("\n").slice(-15) ?? [];
    super(message, { cause, metaMessages: lines.length ? ["Last output of the node:", ...lines.map((l) => `  ${l}`)] : undefined });
  }
}
