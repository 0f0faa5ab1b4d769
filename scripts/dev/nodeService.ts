import { join, relative } from "node:path";
import { choosePort, PortInUseError } from "./choosePort.ts";
import { exitWithParentFlags, startChildProcess } from "./startChildProcess.ts";
import type { DevService, RunningService } from "./types.ts";

export type NodeServiceParameters = {
  name: string;
  /** Script relative to the repository root; it must print its URL on a line of its own when ready. */
  script: string;
  defaultPort: number;
  /** Variable that sets the port; when set, a busy port is an error instead of a fallback. */
  portEnv: string;
  /** Log file name in the state directory. */
  log: string;
  readyTimeoutMs?: number | undefined;
  /** Extra arguments after `--port <n>`. */
  args?: readonly string[] | undefined;
  /** Context variable that receives the service's URL for later services. */
  urlEnv?: string | undefined;
  nextSteps(url: string | undefined): string[];
};

/** A long-running Node.js script of this repository as a dev-stack service on 127.0.0.1. */
export function nodeService(parameters: NodeServiceParameters): DevService {
  const { name, script, defaultPort, portEnv, log, readyTimeoutMs, urlEnv, nextSteps, args = [] } = parameters;
  return {
    name,
    async start(context): Promise<RunningService> {
      const wanted = process.env[portEnv];
      const port = await choosePort({
        port: wanted === undefined ? defaultPort : Number(wanted),
        explicit: wanted !== undefined,
        name,
        envVar: portEnv,
        say: context.say,
        busy: (busyPort) => new PortInUseError({ port: busyPort, envVar: portEnv }),
      });
      const logFile = join(context.stateDir, log);
      context.say(`Starting the ${name} (log in ${relative(process.cwd(), logFile) || logFile})...`);
      const child = await startChildProcess({
        name,
        command: process.execPath,
        args: [...exitWithParentFlags, join(context.root, script), "--port", String(port), ...args],
        env: { ...process.env, ...context.env },
        logFile,
        ready: /^(http:\/\/\S+)$/m,
        readyTimeoutMs,
      });
      if (urlEnv && child.match) context.env[urlEnv] = child.match;
      return { url: child.match, exited: child.exited, stop: child.stop, nextSteps: nextSteps(child.match) };
    },
  };
}
