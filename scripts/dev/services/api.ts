import { join, relative } from "node:path";
import { choosePort, PortInUseError } from "../choosePort.ts";
import { exitWithParentFlags, startChildProcess } from "../startChildProcess.ts";
import type { DevService } from "../types.ts";

/**
 * The reference API (src/server/main.ts) as a child process, verifying requests
 * against the freshly deployed registry. Port: KEYLEDGER_API_PORT, default 8787.
 */
export const apiService: DevService = {
  name: "Reference API",
  async start(context) {
    const wanted = process.env.KEYLEDGER_API_PORT;
    const port = await choosePort({
      port: wanted === undefined ? 8787 : Number(wanted),
      explicit: wanted !== undefined,
      name: "reference API",
      envVar: "KEYLEDGER_API_PORT",
      say: context.say,
      busy: (busyPort) => new PortInUseError({ port: busyPort, envVar: "KEYLEDGER_API_PORT" }),
    });
    const logFile = join(context.stateDir, "api.log");
    context.say(`Starting the reference API (log in ${relative(process.cwd(), logFile) || logFile})...`);
    const child = await startChildProcess({
      name: "reference API",
      command: process.execPath,
      args: [...exitWithParentFlags, join(context.root, "src/server/main.ts"), "--port", String(port)],
      env: { ...process.env, ...context.env },
      logFile,
      ready: /^(http:\/\/\S+)$/m,
    });
    const url = child.match;
    if (url) context.env.KEYLEDGER_API_URL = url;
    return {
      url,
      exited: child.exited,
      stop: child.stop,
      nextSteps: [
        `Signed request: npm run keyledger -- request ${url}/v1/prices --key <key file>`,
        `Metrics (requests per key and version, last use): ${url}/metrics`,
      ],
    };
  },
};
