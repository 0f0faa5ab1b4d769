import type { Hex, TransactionReceipt } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime, parseDuration, parseKeyId, parseTime } from "../parse.ts";
import { printSignedPayloads, signForRelay, submissionOf, submitThroughRelay } from "../relayed.ts";
import { transact } from "../transact.ts";

export const extendOverlap: Command = {
  name: "extend-overlap",
  summary: "keep a rotated-out key valid longer (roll-back path when clients have not switched yet)",
  usage: ["extend-overlap <keyId> (--overlap <duration> | --expires-at <time>)"],
  options: {
    overlap: { type: "string", value: "<duration>", description: "new expiry = chain time now + duration" },
    "expires-at": { type: "string", value: "<time>", description: "new expiry as unix seconds, ISO 8601 or +<duration>" },
  },
  groups: ["chain", "wallet", "relay"],
  maxPositionals: 1,
  examples: ["keyledger extend-overlap 0x3f...a1 --overlap 2h", "keyledger extend-overlap 0x3f...a1 --overlap 2h --relay http://127.0.0.1:8787"],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const overlap = values.overlap;
    const at = values["expires-at"];
    if ((typeof overlap === "string") === (typeof at === "string")) throw usageError("extend-overlap: pass exactly one of --overlap or --expires-at.");
    const submission = submissionOf(values, "extend-overlap");
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const now = await chainNow(context);
    const expiresAt =
      typeof overlap === "string" ? now + parseDuration(overlap, "--overlap") : parseTime(at as string, "--expires-at", now);
    let sent: { hash: Hex; receipt: TransactionReceipt };
    if (submission.kind === "direct") {
      sent = await transact({ context, wallet, address: context.registry, abi: keyRegistryAbi, functionName: "extendOverlap", args: [keyId, expiresAt] });
    } else {
      const payload = await signForRelay({ context, wallet, operation: { operation: "extendOverlap", keyId, expiresAt }, deadline: submission.deadline });
      if (submission.kind === "sign-only") {
        printSignedPayloads(out, [payload]);
        return exitCodes.ok;
      }
      sent = await submitThroughRelay({ context, url: submission.url, payload });
    }
    const { hash, receipt } = sent;
    out.result([`extended ${keyId}: valid until ${formatTime(expiresAt)}`, `  tx ${hash} (block ${receipt.blockNumber})`], {
      keyId,
      expiresAt,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    });
    return exitCodes.ok;
  },
};
