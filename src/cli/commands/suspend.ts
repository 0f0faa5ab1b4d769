import { keyRegistryAbi } from "../../generated/abis.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { parseKeyId } from "../parse.ts";
import { transact } from "../transact.ts";

export const suspend: Command = {
  name: "suspend",
  summary: "guardians: suspend an active key at once, pending the DAO (which may revoke or unsuspend it)",
  usage: ["suspend <keyId> [--reason <text>]"],
  options: {
    reason: { type: "string", value: "<text>", description: "reason recorded in the KeySuspended event (default: \"suspended by guardian\")" },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: ["keyledger suspend 0x3f...a1 --reason \"key seen on pastebin\" --keystore guardian.json"],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const reason = typeof values.reason === "string" ? values.reason : "suspended by guardian";
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const { hash, receipt } = await transact({
      context,
      wallet,
      address: context.registry,
      abi: keyRegistryAbi,
      functionName: "suspend",
      args: [keyId, reason],
    });
    out.result([`suspended ${keyId}`, `  reason ${JSON.stringify(reason)}`, `  tx ${hash} (block ${receipt.blockNumber})`], {
      keyId,
      reason,
      guardian: wallet.address,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    });
    return exitCodes.ok;
  },
};
