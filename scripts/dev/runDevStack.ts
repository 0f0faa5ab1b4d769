import { BaseError } from "../../src/errors/BaseError.ts";
import type { DevContext, DevService, RunningService } from "./types.ts";

export type StartedService = { name: string; service: RunningService };

export type RunDevStackParameters = {
  services: readonly DevService[];
  context: Omit<DevContext, "signal">;
  /** Builds what is printed once every service runs. */
  summary(context: DevContext, started: readonly StartedService[]): Promise<string>;
};

/**
 * Starts the services in order, prints the summary, and on Ctrl-C / SIGTERM /
 * SIGHUP (or when a service dies or fails to start) stops the started ones in
 * reverse order. Resolves with the exit code once everything is stopped.
 */
export async function runDevStack({ services, context, summary }: RunDevStackParameters): Promise<number> {
  const controller = new AbortController();
  const ctx: DevContext = { ...context, signal: controller.signal };
  const started: StartedService[] = [];
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((done) => (finish = done));
  let stopping = false;

  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    controller.abort();
    if (reason) ctx.say(reason);
    for (const { name, service } of [...started].reverse()) {
      try {
        await service.stop?.();
      } catch (error) {
        console.error(`Could not stop ${name}: ${describe(error)}`);
        code = 1;
      }
    }
    if (started.length) ctx.say(`Stopped ${[...started].reverse().map((s) => s.name).join(", ")}.`);
    finish(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C while stopping means "now": the exit handlers kill the child process groups.
    if (stopping) process.exit(130);
    void shutdown(`\n${signal}: stopping the KeyLedger dev stack (Ctrl-C again to force)...`, 0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  for (const service of services) {
    if (stopping) break;
    try {
      const running = await service.start(ctx);
      if (!running) continue;
      started.push({ name: service.name, service: running });
      void running.exited?.then((how) => shutdown(`\n${service.name} stopped unexpectedly (${String(how)}); stopping the stack.`, 1));
    } catch (error) {
      // An interrupted start is not a failure worth reporting.
      if (stopping) break;
      console.error(`\n${service.name} failed: ${describe(error)}`);
      void shutdown(started.length ? "Stopping what was started..." : "", 1);
      break;
    }
  }
  if (!stopping) console.log(await summary(ctx, started));
  return finished;
}

function describe(error: unknown): string {
  if (error instanceof BaseError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
