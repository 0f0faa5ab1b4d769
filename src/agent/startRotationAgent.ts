import { setTimeout as sleep } from "node:timers/promises";
import { InvalidAgentOptionError } from "./errors.ts";
import { rotateDueKeys } from "./rotateDueKeys.ts";
import type { RotationAction, RotationAgentOptions } from "./types.ts";
import { validateAgentOptions } from "./validateAgentOptions.ts";

export type StartRotationAgentParameters = RotationAgentOptions & {
  /** Time between passes. Default 60 s. */
  intervalMs?: number | undefined;
  /** Every action of every pass, as it happens. */
  onAction?: ((action: RotationAction) => void) | undefined;
  /** A pass that failed as a whole (e.g. the RPC node is down); the agent keeps going. */
  onError?: ((error: unknown) => void) | undefined;
};

export type StartRotationAgentReturnType = {
  /** Resolves after the pass in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Passes completed so far. */
  readonly passes: number;
};

/** Runs `rotateDueKeys` now and then every `intervalMs` until `stop()`; one pass at a time. */
export function startRotationAgent(parameters: StartRotationAgentParameters): StartRotationAgentReturnType {
  const { intervalMs = 60_000, onAction = () => {}, onError = () => {}, ...options } = parameters;
  validateAgentOptions(options);
  if (!Number.isFinite(intervalMs) || intervalMs < 100) throw new InvalidAgentOptionError(`Rotation agent: intervalMs must be at least 100, got ${String(intervalMs)}.`);
  const controller = new AbortController();
  let passes = 0;
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        for (const action of await rotateDueKeys(options)) onAction(action);
      } catch (error) {
        onError(error);
      }
      passes++;
      await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
    get passes() {
      return passes;
    },
  };
}
