import { spawn } from "node:child_process";
import { BaseError } from "../../src/errors/BaseError.ts";

export type RunCommandParameters = {
  command: string;
  args: readonly string[];
  cwd: string;
  /** Aborting kills the command's whole process group. */
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
};

/**
 * Runs a command to completion in its own process group and returns its combined
 * output; throws `CommandFailedError` (with the output's tail) when it fails.
 */
export async function runCommand({ command, args, cwd, signal, env }: RunCommandParameters): Promise<string> {
  signal?.throwIfAborted();
  const child = spawn(command, args, { cwd, env: env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  signal?.addEventListener("abort", kill, { once: true });
  try {
    const code = await new Promise<number | string>((done, fail) => {
      child.once("error", fail);
      child.once("close", (exitCode, exitSignal) => done(exitCode ?? exitSignal ?? "unknown"));
    });
    if (code !== 0) throw new CommandFailedError({ command: [command, ...args].join(" "), code, output });
    return output;
  } finally {
    signal?.removeEventListener("abort", kill);
  }
}

export class CommandFailedError extends BaseError {
  override name = "CommandFailedError";
  constructor({ command, code, output }: { command: string; code: number | string; output: string }) {
    const lines = output.trim().split("\n").slice(-40);
    super(`\`${command}\` failed (${code}).`, { metaMessages: lines.length ? lines : undefined });
  }
}
