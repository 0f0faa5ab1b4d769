import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type RunCliResult = { code: number | null; stdout: string; stderr: string };

export type RunCliOptions = { env?: Record<string, string | undefined>; input?: string; cwd?: string };

/**
 * Runs the real CLI (`node src/cli/main.ts ...`) as a child process, with a
 * clean KEYLEDGER_* environment plus `env`.
 */
export function runCli(args: string[], { env = {}, input, cwd = root }: RunCliOptions = {}): Promise<RunCliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KEYLEDGER_")));
  const child = spawn(process.execPath, [`${root}/src/cli/main.ts`, ...args], {
    cwd,
    env: { ...base, ...env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export { root };
