import { setTimeout as sleep } from "node:timers/promises";
import { usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { parseDuration, parseNonNegativeInteger } from "../parse.ts";
import { describeEvent, fetchRegistryLogs, readScopeNames } from "../registry.ts";

export const watch: Command = {
  name: "watch",
  summary: "stream the registry's events (registrations, rotations, revocations, ...) until Ctrl-C",
  usage: ["watch [--from-block <n>] [--interval <duration>] [--json]"],
  description: [
    "Prints one line per event; with --json one JSON object per line (NDJSON), e.g. to feed",
    "an alerting pipeline. Starts at the next block unless --from-block is given",
    "(--from-block 0 replays everything since the deployment).",
  ],
  options: {
    "from-block": { type: "string", value: "<n>", description: "first block to include (default: the next block)" },
    interval: { type: "string", value: "<duration>", description: "polling interval (default 1s)" },
  },
  groups: ["chain"],
  maxPositionals: 0,
  examples: ["keyledger watch", "keyledger watch --from-block 0 --json | jq 'select(.event == \"KeyRevoked\")'"],
  async run({ values, out }) {
    const intervalMs = (typeof values.interval === "string" ? parseDuration(values.interval, "--interval") : 1) * 1000;
    if (intervalMs < 1000) throw usageError("watch: --interval must be at least 1s.");
    const context = await connectChain({ values });
    let scopeNames = await readScopeNames(context);
    let next: bigint;
    try {
      next =
        typeof values["from-block"] === "string"
          ? BigInt(Math.max(parseNonNegativeInteger(values["from-block"], "--from-block"), context.manifest.deploymentBlock))
          : (await context.client.getBlockNumber()) + 1n;
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    out.note(`watching ${context.registry} on chain ${context.chain.id} from block ${next} (Ctrl-C to stop)`);
    let failing = false;
    while (!stop.signal.aborted) {
      try {
        const latest = await context.client.getBlockNumber();
        if (latest >= next) {
          const logs = await fetchRegistryLogs(context, { topics: [], fromBlock: next, toBlock: latest });
          for (const log of logs) {
            if (log.eventName === "ScopeNamed") scopeNames = scopeNames.map((n, bit) => (bit === log.args.bit ? log.args.name : n));
            const { human, data } = describeEvent(log, scopeNames);
            out.line(human, data);
          }
          next = latest + 1n;
        }
        if (failing) out.note("RPC node reachable again");
        failing = false;
      } catch (error) {
        // A watcher outlives RPC hiccups: say so once and keep polling.
        if (!failing) out.note(`warning: ${explainError(error, { rpcUrl: context.rpcUrl }).shortMessage} Retrying...`);
        failing = true;
      }
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    return exitCodes.ok;
  },
};
