import type { CommandValues, OptionDefinition } from "./command.ts";
import { usageError } from "./CliError.ts";
import { parseDuration, parseTime } from "./parse.ts";
import { defaultNotBefore } from "../keys/defaultNotBefore.ts";

export const windowOptions: Record<string, OptionDefinition> = {
  "not-before": { type: "string", value: "<time>", description: "first valid second: now (default), +1h, unix seconds or ISO 8601" },
  "expires-in": { type: "string", value: "<duration>", description: "lifetime from --not-before, e.g. 30d (default: 30d or the policy's maximum if shorter)" },
  "expires-at": { type: "string", value: "<time>", description: "first invalid second, instead of --expires-in" },
};

const defaultLifetime = 30 * 86_400;

/**
 * The validity window from the flags. Relative times count from the chain's clock
 * (what the registry checks). "now", the default start, is the earlier of the
 * chain's clock and this machine's: a dev chain's blocks can run seconds ahead of
 * real time, and a verifier on real time would otherwise see the new key as
 * not yet valid; but never more than the registry's tolerance behind the chain.
 */
export function resolveWindow({ values, now, maxLifetime }: { values: CommandValues; now: number; maxLifetime: number }): {
  notBefore: number;
  expiresAt: number;
} {
  // Never further back than the registry's 1-hour tolerance (a dev chain moved ahead).
  const start = defaultNotBefore({ chainNow: now });
  const notBeforeText = typeof values["not-before"] === "string" ? values["not-before"] : "now";
  const notBefore = notBeforeText.trim() === "now" ? start : parseTime(notBeforeText, "--not-before", now);
  const expiresIn = values["expires-in"];
  const expiresAtFlag = values["expires-at"];
  if (typeof expiresIn === "string" && typeof expiresAtFlag === "string") throw usageError("Pass either --expires-in or --expires-at, not both.");
  const expiresAt =
    typeof expiresAtFlag === "string"
      ? parseTime(expiresAtFlag, "--expires-at", now)
      : notBefore + (typeof expiresIn === "string" ? parseDuration(expiresIn, "--expires-in") : Math.min(defaultLifetime, maxLifetime));
  if (expiresAt > 0xffff_ffff) throw usageError("The expiry is beyond 2106 (uint32 seconds).");
  if (expiresAt <= notBefore) throw usageError("The key would expire before it becomes valid.");
  return { notBefore, expiresAt };
}
