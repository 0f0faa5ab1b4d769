import { join, relative } from "node:path";
import { choosePort, PortInUseError } from "../choosePort.ts";
import { exitWithParentFlags, startChildProcess } from "../startChildProcess.ts";
import type { DevService } from "../types.ts";

/**
 * The dApp (web/main.ts): serves the production bundle, building it first when it
 * is missing or stale, for the deployment just made. Port: KEYLEDGER_WEB_PORT,
 * default 5173.
 */
export const webService: DevService = {
  name: "dApp",
  async start(context) {
    const wanted = process.env.KEYLEDGER_WEB_PORT;
    const port = await choosePort({
      port: wanted === undefined ? 5173 : Number(wanted),
      explicit: wanted !== undefined,
      name: "dApp",
      envVar: "KEYLEDGER_WEB_PORT",
      say: context.say,
      busy: (busyPort) => new PortInUseError({ port: busyPort, envVar: "KEYLEDGER_WEB_PORT" }),
    });
    const logFile = join(context.stateDir, "web.log");
    context.say(`Starting the dApp (builds the bundle when needed; log in ${relative(process.cwd(), logFile) || logFile})...`);
    const child = await startChildProcess({
      name: "dApp",
      command: process.execPath,
      args: [...exitWithParentFlags, join(context.root, "web/main.ts"), "--port", String(port)],
      env: { ...process.env, ...context.env },
      logFile,
      ready: /^(http:\/\/\S+)$/m,
      readyTimeoutMs: 300_000,
    });
    return {
      url: child.match,
      exited: child.exited,
      stop: child.stop,
      nextSteps: [`Open ${child.match} and connect the "Local dev account" (no wallet extension needed).`],
    };
  },
};
