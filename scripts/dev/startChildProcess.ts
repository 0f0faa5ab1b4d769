import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { BaseError } from "../../src/errors/BaseError.ts";

/**
 * Node flags that make a Node.js child exit when its parent dies, even by SIGKILL
 * (see exitWithParent.ts): `spawn(process.execPath, [...exitWithParentFlags, script])`.
 */
export const exitWithParentFlags: readonly string[] = ["--import", fileURLToPath(new URL("./exitWithParent.ts", import.meta.url))];

export type StartChildProcessParameters = {
  /** Used in error messages, e.g. "Hardhat node". */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** File that receives the output (truncated at start). Default: kept in memory only for error messages. */
  logFile?: string | undefined;
  /** Output that means "ready"; its first capture group is returned as `match` (e.g. the URL). */
  ready: RegExp;
  readyTimeoutMs?: number | undefined;
};

export type StartChildProcessReturnType = {
  pid: number;
  /** First capture group of `ready`, if it has one. */
  match: string | undefined;
  /** Settles with the exit code (or signal name) when the process ends, for whatever reason. */
  exited: Promise<number | string>;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s); safe to call more than once. */
  stop(): Promise<void>;
};

/**
 * Starts a long-running process in its own process group and resolves when its
 * output matches `ready`. Its group is killed on `stop()` and when this process
 * exits; a Node child started with `exitWithParentFlags` also dies if this process
 * is killed outright.
 */
export async function startChildProcess(parameters: StartChildProcessParameters): Promise<StartChildProcessReturnType> {
  const { name, command, args, cwd, env, logFile, ready, readyTimeoutMs = 60_000 } = parameters;
  const child = spawn(command, args, {
    cwd,
    env: { ...(env ?? process.env), NO_COLOR: "1", FORCE_COLOR: "0" },
    // Own group, so that stopping it also stops whatever it spawned; stdin stays
    // open as the lifeline that exitWithParent.ts watches.
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    const cause = await new Promise<Error>((done) => child.once("error", done));
    throw new ChildProcessError({ message: `Could not start the ${name}.`, cause });
  }
  live.add(pid);
  const exited = new Promise<number | string>((done) => {
    child.once("exit", (code, signal) => {
      live.delete(pid);
      done(code ?? signal ?? "unknown");
    });
  });
  // A write to the stdin of a process that just died must not crash us.
  child.stdin?.on("error", () => {});

  const log = logFile ? createWriteStream(logFile, { flags: "w" }) : undefined;
  void exited.then(() => log?.end());
  let tail = "";
  let announce: ((match: RegExpExecArray) => void) | undefined;
  const readySeen = new Promise<RegExpExecArray>((done) => (announce = done));
  const onOutput = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4_000);
    const match = announce && ready.exec(tail);
    if (match) {
      announce?.(match);
      announce = undefined;
    }
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), 5_000)));
    if ((await Promise.race([exited, gaveUp])) === "timeout") {
      signalGroup(pid, "SIGKILL");
      await exited;
    }
    clearTimeout(timer);
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const match = await Promise.race([
      readySeen,
      exited.then((code) => {
        throw new ChildProcessError({ message: `The ${name} exited (${code}) before it was ready.`, output: tail });
      }),
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new ChildProcessError({ message: `The ${name} was not ready after ${readyTimeoutMs} ms.`, output: tail })), readyTimeoutMs);
      }),
    ]);
    return { pid, match: match[1], exited, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
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

export class ChildProcessError extends BaseError {
  override name = "ChildProcessError";
  constructor({ message, output, cause }: { message: string; output?: string; cause?: unknown }) {
    const lines = output?.trim().split("\n").slice(-15) ?? [];
    super(message, { cause, metaMessages: lines.length ? ["Last output:", ...lines.map((l) => `  ${l}`)] : undefined });
  }
}
