import { type Hex, parseEventLogs } from "viem";
import { keyRegistryAbi } from "../generated/abis.ts";
import type { ChainContext } from "./connectChain.ts";
import type { Wallet } from "./loadWallet.ts";
import { transact } from "./transact.ts";

const maxBatch = 256;
const skipReasons = ["not-revoked", "not-head", "already-released", "owner-revoked"] as const;

export type ReleaseLineagesParameters = { context: ChainContext; wallet: Wallet; keyIds: readonly Hex[] };
export type ReleaseLineagesReturnType = {
  released: Hex[];
  skipped: { keyId: Hex; reason: (typeof skipReasons)[number] }[];
  transactions: { hash: Hex; blockNumber: number; keyIds: Hex[] }[];
};

/**
 * Sends `releaseKeys` for `keyIds` (in batches of 256) and reports, from the receipts'
 * events, which revoked heads gave their place under the owner's cap back and which
 * were skipped and why. Permissionless: `wallet` may be anyone's.
 */
export async function releaseLineages({ context, wallet, keyIds }: ReleaseLineagesParameters): Promise<ReleaseLineagesReturnType> {
  const out: ReleaseLineagesReturnType = { released: [], skipped: [], transactions: [] };
  for (let i = 0; i < keyIds.length; i += maxBatch) {
    const batch = keyIds.slice(i, i + maxBatch);
    const { hash, receipt } = await transact({ context, wallet, address: context.registry, abi: keyRegistryAbi, functionName: "releaseKeys", args: [batch] });
    out.transactions.push({ hash, blockNumber: Number(receipt.blockNumber), keyIds: batch });
    for (const log of parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs })) {
      if (log.eventName === "KeyReleased") out.released.push(log.args.keyId);
      else if (log.eventName === "KeyReleaseSkipped") out.skipped.push({ keyId: log.args.keyId, reason: skipReasons[log.args.reason] ?? "not-revoked" });
    }
  }
  return out;
}
