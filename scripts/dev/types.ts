import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import type { DeploymentParametersInput } from "../deploy/parameters.ts";

/** What `node scripts/dev.ts` was asked to do. */
export type DevOptions = {
  compile: boolean;
  /** Port of the node; 0 = any free port. */
  port: number;
  /** Whether the port was chosen by the user (then a busy port is an error, not a fallback). */
  portExplicit: boolean;
  manifestPath: string | undefined;
  params: DeploymentParametersInput;
};

/**
 * Shared state of the stack, filled in as services start: later services read
 * what earlier ones produced (the API needs the RPC URL and the manifest).
 */
export type DevContext = {
  root: string;
  /** Runtime output (logs): `.keyledger/` unless KEYLEDGER_STATE_DIR says otherwise. */
  stateDir: string;
  options: DevOptions;
  /** Aborted when the stack is shutting down; long start steps stop early. */
  signal: AbortSignal;
  /**
   * Variables for child services, added as they become known: KEYLEDGER_RPC_URL,
   * KEYLEDGER_CHAIN_ID, KEYLEDGER_MANIFEST. Pass `{ ...process.env, ...context.env }`.
   */
  env: Record<string, string>;
  rpcUrl?: string | undefined;
  chainId?: number | undefined;
  manifest?: DeploymentManifest | undefined;
  manifestPath?: string | undefined;
  /** Prints a progress line. */
  say(line: string): void;
};

/**
 * One step of the stack. Services start in list order and stop in reverse. A
 * long-running process (the reference API, the dApp's Vite server) is typically:
 *
 *   const child = await startChildProcess({ name: "reference API", command: process.execPath,
 *     args: [...exitWithParentFlags, "src/server/main.ts"], env: { ...process.env, ...context.env },
 *     logFile: join(context.stateDir, "api.log"), ready: /listening on (http:\/\/\S+)/ });
 *   return { url: child.match, exited: child.exited, stop: child.stop, nextSteps: ["..."] };
 */
export type DevService = {
  name: string;
  start(context: DevContext): Promise<RunningService | void>;
};

export type RunningService = {
  /** Printed with the service's name in the summary. */
  url?: string | undefined;
  /** Lines for the "Next steps" part of the summary. */
  nextSteps?: string[] | undefined;
  /** Settles when the service ends by itself; the whole stack then shuts down. */
  exited?: Promise<unknown> | undefined;
  stop?(): Promise<void>;
};
