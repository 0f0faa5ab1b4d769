import { type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { setKeyFileKeyId } from "../../signer/node.ts";
import { type Command, requireString } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadKeyFile } from "../keyFile.ts";
import { resolveWindow, windowOptions } from "../keyWindow.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatDuration, formatTime, parseDuration, parseKeyId, parseList } from "../parse.ts";
import { maskToNames, readKeyRecord, readPolicy, readScopeNames, scopesToMask } from "../registry.ts";
import { printSignedPayloads, signForRelay, submissionOf, submitThroughRelay } from "../relayed.ts";
import { transact } from "../transact.ts";
import { chainNewKey } from "../chainNewKey.ts";

export const rotate: Command = {
  name: "rotate",
  summary: "replace a key by a new one (next version of its lineage), keeping the old one valid for an overlap",
  usage: ["rotate <oldKeyId> --key <newkeyfile> --overlap <duration> [--scopes <names>] [window options]"],
  description: [
    "The old key stays valid for --overlap more seconds (never longer than it already was), so",
    "clients can switch without downtime; `status` and the API server's metrics show when the",
    "old version stops being used. The new key inherits the lineage's label.",
    "Gasless: --relay <url> (a relayer submits what the wallet signed) or --sign-only (print the",
    "signed payload for `keyledger relay`); the wallet needs no ETH.",
  ],
  options: {
    key: { type: "string", value: "<keyfile>", description: "the NEW key's file (needs the private key for the proof of possession)" },
    overlap: { type: "string", value: "<duration>", description: "how long the old key stays valid: 3600, 1h, 2d" },
    scopes: { type: "string", value: "<names>", description: "scopes of the new key (default: the old key's)" },
    ...windowOptions,
  },
  groups: ["chain", "wallet", "relay"],
  maxPositionals: 1,
  examples: [
    "keyledger keygen --label bot --out bot-v2.key.json",
    "keyledger rotate 0x3f...a1 --key bot-v2.key.json --overlap 1h",
    "keyledger rotate 0x3f...a1 --key bot-v2.key.json --overlap 1h --relay http://127.0.0.1:8787",
  ],
  async run({ values, positionals, out }) {
    const oldKeyId = parseKeyId(positionals[0], "old key id");
    const path = requireString(values, "key", "rotate");
    const overlap = parseDuration(requireString(values, "overlap", "rotate"), "--overlap");
    const submission = submissionOf(values, "rotate");
    const key = await loadKeyFile({ path, needPrivateKey: true });
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const [scopeNames, policy, now, old] = await Promise.all([
      readScopeNames(context),
      readPolicy(context),
      chainNow(context),
      readKeyRecord(context, oldKeyId),
    ]);
    const scopeList = parseList(values.scopes);
    const scopes = scopeList.length ? scopesToMask(scopeList, scopeNames) : old.scopes;
    const { notBefore, expiresAt } = resolveWindow({ values, now, maxLifetime: policy.maxLifetime });
    const { keyId, newKey } = await chainNewKey({ context, key, owner: wallet.address, scopes, notBefore, expiresAt });
    let sent: { hash: Hex; receipt: TransactionReceipt };
    if (submission.kind === "direct") {
      sent = await transact({ context, wallet, address: context.registry, abi: keyRegistryAbi, functionName: "rotate", args: [oldKeyId, newKey, overlap] });
    } else {
      const payload = await signForRelay({ context, wallet, operation: { operation: "rotate", oldKeyId, key: newKey, overlap }, deadline: submission.deadline });
      if (submission.kind === "sign-only") {
        setKeyFileKeyId({ path, keyId });
        printSignedPayloads(out, [payload]);
        out.note(`key file ${path} now carries ${keyId}, the id the new version gets once the payload is relayed`);
        return exitCodes.ok;
      }
      sent = await submitThroughRelay({ context, url: submission.url, payload });
    }
    const { hash, receipt } = sent;
    const event = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRotated" })[0];
    const version = event ? Number(event.args.version) : old.version + 1;
    const oldExpiresAt = event ? Number(event.args.oldExpiresAt) : Math.min(old.expiresAt, now + overlap);
    setKeyFileKeyId({ path, keyId });
    const result = {
      keyId,
      version,
      oldKeyId,
      oldExpiresAt,
      alg: key.alg,
      scopes: maskToNames(scopes, scopeNames),
      notBefore,
      expiresAt,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    };
    out.result(
      [
        `rotated ${oldKeyId}`,
        `     to ${keyId} (version ${version}; written into ${path})`,
        `  old key valid until ${formatTime(oldExpiresAt)} (overlap ${formatDuration(overlap)})`,
        `  new key valid ${formatTime(notBefore)} .. ${formatTime(expiresAt)}, scopes ${result.scopes.join(",")}`,
        `  tx ${hash} (block ${receipt.blockNumber})`,
      ],
      result,
    );
    return exitCodes.ok;
  },
};
