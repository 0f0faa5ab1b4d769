import { statSync } from "node:fs";
import { isAddress } from "viem";
import { InvalidAgentOptionError } from "./errors.ts";
import type { RotationAgentOptions } from "./types.ts";

const isSeconds = (value: unknown, min: number) => typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= 0xffffffff;

/** Checks the agent's options once, with a message naming the bad one. */
export function validateAgentOptions<T extends RotationAgentOptions>(options: T): T {
  if (!options || typeof options !== "object") throw new InvalidAgentOptionError("Rotation agent: options must be an object.");
  const { directory, publicClient, walletClient, registry, schedule, overlapSeconds, lifetimeSeconds } = options;
  if (typeof directory !== "string" || !directory) throw new InvalidAgentOptionError("Rotation agent: directory must be a path.");
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDirectory) throw new InvalidAgentOptionError(`Rotation agent: ${directory} is not a directory.`);
  if (!publicClient || typeof publicClient.readContract !== "function") throw new InvalidAgentOptionError("Rotation agent: publicClient must be a viem public client.");
  if (!walletClient?.account?.address) throw new InvalidAgentOptionError("Rotation agent: walletClient must be a viem wallet client with an account.");
  if (typeof registry !== "string" || !isAddress(registry)) throw new InvalidAgentOptionError(`Rotation agent: registry must be an address, got ${String(registry)}.`);
  if (!schedule || typeof schedule !== "object") throw new InvalidAgentOptionError("Rotation agent: schedule must be { everySeconds } or { lifetimeFraction }.");
  if ("everySeconds" in schedule) {
    if (!isSeconds(schedule.everySeconds, 1)) throw new InvalidAgentOptionError(`Rotation agent: schedule.everySeconds must be a whole number of seconds >= 1, got ${String(schedule.everySeconds)}.`);
  } else if ("lifetimeFraction" in schedule) {
    const f = schedule.lifetimeFraction;
    if (typeof f !== "number" || !(f > 0 && f < 1)) throw new InvalidAgentOptionError(`Rotation agent: schedule.lifetimeFraction must be between 0 and 1 (exclusive), got ${String(f)}.`);
  } else throw new InvalidAgentOptionError("Rotation agent: schedule must be { everySeconds } or { lifetimeFraction }.");
  if (options.passphrase !== undefined && typeof options.passphrase !== "string") throw new InvalidAgentOptionError("Rotation agent: passphrase must be a string.");
  if (!isSeconds(overlapSeconds, 0)) throw new InvalidAgentOptionError(`Rotation agent: overlapSeconds must be a whole number of seconds >= 0, got ${String(overlapSeconds)}.`);
  if (lifetimeSeconds !== undefined && !isSeconds(lifetimeSeconds, 1)) {
    throw new InvalidAgentOptionError(`Rotation agent: lifetimeSeconds must be a whole number of seconds >= 1, got ${String(lifetimeSeconds)}.`);
  }
  return options;
}
