import { type Address, getAddress, type Hex, isAddress } from "viem";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { parseKeyId } from "../parse.ts";
import { releasableLineages } from "../releasableLineages.ts";
import { releaseLineages } from "../releaseLineages.ts";

export const release: Command = {
  name: "release",
  summary: "give revoked lineages' places under the per-owner cap back (releaseKeys; anyone may send it)",
  usage: ["release <keyId>...", "release --mine", "release --owner <address>"],
  description: [
    "Revoking a key does not lower its owner's count of lineages (that keeps revoke cheap):",
    "a revoked lineage keeps its place under the DAO's maxKeysPerOwner until released.",
    "release sends releaseKeys for the given revoked lineage heads, for all of your wallet's",
    "(--mine), or for any owner's (--owner). Anyone may send it for anyone: it only lowers a",
    "count, never makes a key valid. Keys that are not revoked heads, or released already, are",
    "skipped and reported. `keyledger register` does this by itself when it hits the cap.",
  ],
  options: {
    mine: { type: "boolean", description: "release every revoked lineage of your wallet not yet released" },
    owner: { type: "string", value: "<address>", description: "release every revoked lineage of this owner not yet released" },
  },
  groups: ["chain", "wallet"],
  maxPositionals: Number.POSITIVE_INFINITY,
  examples: ["keyledger release --mine", "keyledger release 0x3f...a1 0x77...0c", "keyledger release --owner 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --json"],
  async run({ values, positionals, out }) {
    const mine = values.mine === true;
    const ownerText = typeof values.owner === "string" ? values.owner : undefined;
    if ([mine, ownerText !== undefined, positionals.length > 0].filter(Boolean).length !== 1) {
      throw usageError("release: pass key ids, --mine or --owner <address> (exactly one of them).");
    }
    if (ownerText !== undefined && !isAddress(ownerText, { strict: false })) throw usageError(`release: "${ownerText}" is not an address.`);
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    let keyIds: Hex[] = [...new Set(positionals.map((p) => parseKeyId(p)))];
    if (!keyIds.length) {
      const owner: Address = mine ? wallet.address : getAddress(ownerText!);
      keyIds = await releasableLineages({ context, owner });
      if (!keyIds.length) {
        throw new CliError(`${owner} has no revoked lineage left to release.`, { exitCode: exitCodes.rejected, code: "no-keys" });
      }
    }
    const result = await releaseLineages({ context, wallet, keyIds });
    out.result(
      [
        ...result.released.map((id) => `released ${id}`),
        ...result.skipped.map((s) => `skipped  ${s.keyId} (${s.reason})`),
        ...result.transactions.map((t) => `  tx ${t.hash} (block ${t.blockNumber}, ${t.keyIds.length} key${t.keyIds.length > 1 ? "s" : ""})`),
      ],
      result,
    );
    return exitCodes.ok;
  },
};
