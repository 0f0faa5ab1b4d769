import { keyRegistryAbi } from "../../generated/abis.ts";
import { usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime, parseDuration, parseKeyId, parseTime } from "../parse.ts";
import { transact } from "../transact.ts";

export const extendOverlap: Command = {
  name: "extend-overlap",
  summary: "keep a rotated-out key valid longer (roll-back path when clients have not switched yet)",
  usage: ["extend-overlap <keyId> (--overlap <duration> | --expires-at <time>)"],
  options: {
    overlap: { type: "string", value: "<duration>", description: "new expiry = chain time now + duration" },
    "expires-at": { type: "string", value: "<time>", description: "new expiry as unix seconds, ISO 8601 or +<duration>" },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: ["keyledger extend-overlap 0x3f...a1 --overlap 2h"],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const overlap = values.overlap;
    const at = values["expires-at"];
    if ((typeof overlap === "string") === (typeof at === "string")) throw usageError("extend-overlap: pass exactly one of --overlap or --expires-at.");
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const now = await chainNow(context);
    const expiresAt =
      typeof overlap === "string" ? now + parseDuration(overlap, "--overlap") : parseTime(at as string, "--expires-at", now);
    const { hash, receipt } = await transact({
      context,
      wallet,
      address: context.registry,
      abi: keyRegistryAbi,
      functionName: "extendOverlap",
      args: [keyId, expiresAt],
    });
    out.result([`extended ${keyId}: valid until ${formatTime(expiresAt)}`, `  tx ${hash} (block ${receipt.blockNumber})`], {
      keyId,
      expiresAt,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    });
    return exitCodes.ok;
  },
};
