import type { Hex } from "viem";
import type { SignRegistryOperationReturnType } from "../../chain/signedOperations/signRegistryOperation.ts";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { parseKeyId } from "../parse.ts";
import { ownerKeysByLabel, readKeyRecord } from "../registry.ts";
import { printSignedPayloads, signForRelay, submissionOf, submitThroughRelay } from "../relayed.ts";
import { transact } from "../transact.ts";

const maxBatch = 256;

export const revoke: Command = {
  name: "revoke",
  summary: "revoke your keys at once and for good (several in one transaction)",
  usage: ["revoke <keyId>... [--reason <text>]", "revoke --label <label> [--reason <text>]"],
  description: [
    "Revocation is final: a revoked key id can never be used or registered again.",
    "A revoked lineage keeps its place under the DAO's per-owner cap until released",
    "(`keyledger release --mine`; `register` does it by itself when it hits the cap).",
    "--label revokes every not-yet-revoked key of that label owned by your wallet (all",
    "versions of the lineage), found from the registry's events: the incident-response path.",
    "Gasless: --relay <url> or --sign-only sign one revocation per key (consecutive nonces; a",
    "relayer submits them one by one), so the wallet needs no ETH.",
  ],
  options: {
    reason: { type: "string", value: "<text>", description: "reason recorded in the KeyRevoked event (default: \"revoked by owner\")" },
    label: { type: "string", value: "<label>", description: "revoke all your unrevoked keys with this label" },
  },
  groups: ["chain", "wallet", "relay"],
  maxPositionals: Number.POSITIVE_INFINITY,
  examples: [
    "keyledger revoke 0x3f...a1 --reason \"laptop stolen\"",
    "keyledger revoke 0x3f...a1 0x77...0c --reason rotation-cleanup",
    "keyledger revoke --label trading-bot --reason \"leaked in CI logs\"",
    "keyledger revoke 0x3f...a1 --reason compromised --relay http://127.0.0.1:8787",
  ],
  async run({ values, positionals, out }) {
    const label = typeof values.label === "string" ? values.label : undefined;
    if (label !== undefined && positionals.length) throw usageError("revoke: pass key ids or --label, not both.");
    if (label === undefined && !positionals.length) throw usageError("revoke: name at least one key id, or --label.");
    const reason = typeof values.reason === "string" ? values.reason : "revoked by owner";
    const submission = submissionOf(values, "revoke");
    let keyIds: Hex[] = [...new Set(positionals.map((p) => parseKeyId(p)))];
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    if (label !== undefined) {
      const labels = await ownerKeysByLabel(context, wallet.address);
      const candidates = [...labels].filter(([, l]) => l === label).map(([id]) => id);
      const records = await Promise.all(candidates.map((id) => readKeyRecord(context, id)));
      // Revoked keys are skipped: revoking twice reverts and would fail the whole batch.
      keyIds = candidates.filter((_, i) => records[i]!.state === 1 || records[i]!.state === 2);
      if (!keyIds.length) {
        throw new CliError(`No unrevoked key labelled "${label}" is owned by ${wallet.address}.`, { exitCode: exitCodes.rejected, code: "no-keys" });
      }
    }
    const transactions: { hash: Hex; blockNumber: number; keyIds: Hex[] }[] = [];
    if (submission.kind !== "direct") {
      // No batched signed revoke: one signed operation per key, with consecutive nonces.
      const payloads: SignRegistryOperationReturnType[] = [];
      for (const [i, keyId] of keyIds.entries()) {
        const nonce: bigint | undefined = i === 0 ? undefined : BigInt(payloads[0]!.nonce) + BigInt(i);
        payloads.push(await signForRelay({ context, wallet, operation: { operation: "revoke", keyId, reason }, deadline: submission.deadline, nonce }));
      }
      if (submission.kind === "sign-only") {
        printSignedPayloads(out, payloads);
        return exitCodes.ok;
      }
      for (const [i, payload] of payloads.entries()) {
        const { hash, receipt } = await submitThroughRelay({ context, url: submission.url, payload });
        transactions.push({ hash, blockNumber: Number(receipt.blockNumber), keyIds: [keyIds[i]!] });
      }
    }
    for (let i = 0; submission.kind === "direct" && i < keyIds.length; i += maxBatch) {
      const batch = keyIds.slice(i, i + maxBatch);
      const { hash, receipt } = await transact({
        context,
        wallet,
        address: context.registry,
        abi: keyRegistryAbi,
        functionName: batch.length === 1 ? "revoke" : "revokeBatch",
        args: batch.length === 1 ? [batch[0], reason] : [batch, reason],
      });
      transactions.push({ hash, blockNumber: Number(receipt.blockNumber), keyIds: batch });
    }
    out.result(
      [
        ...keyIds.map((id) => `revoked ${id}`),
        `  reason ${JSON.stringify(reason)}`,
        ...transactions.map((t) => `  tx ${t.hash} (block ${t.blockNumber}, ${t.keyIds.length} key${t.keyIds.length > 1 ? "s" : ""})`),
      ],
      { revoked: keyIds, reason, transactions },
    );
    return exitCodes.ok;
  },
};
