import { type Hex, type TransactionReceipt } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { setKeyFileKeyId } from "../../signer/node.ts";
import { CliError, usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadKeyFile } from "../keyFile.ts";
import { resolveWindow, windowOptions } from "../keyWindow.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime, parseList } from "../parse.ts";
import { maskToNames, readPolicy, readScopeNames, scopesToMask } from "../registry.ts";
import { printSignedPayloads, signForRelay, submissionOf, submitThroughRelay } from "../relayed.ts";
import { transact } from "../transact.ts";
import { chainNewKey } from "../chainNewKey.ts";
import { releasableLineages } from "../releasableLineages.ts";
import { releaseLineages } from "../releaseLineages.ts";

export const register: Command = {
  name: "register",
  summary: "register a key on-chain (version 1 of a new lineage), with its proof of possession",
  usage: ["register --key <keyfile> --scopes <names> [--expires-in <duration> | --expires-at <time>] [--not-before <time>]"],
  description: [
    "Signs the proof of possession with the key file's private key (bound to the chain, the",
    "registry and your wallet address), sends the transaction and waits for it to be mined.",
    "Key ids are namespaced per owner: the registry id (your address followed by 12 bytes of",
    "keccak256(address || key)) is written into the key file, so requests carry it.",
    "Times are checked against the chain's clock (the latest block's timestamp).",
    "Gasless: --relay <url> signs the registration (EIP-712) and a relayer submits and pays;",
    "--sign-only prints the signed payload for `keyledger relay` instead. Either way the wallet",
    "needs no ETH, and the key file gets the registry id.",
    "At the DAO's per-owner cap (TooManyKeys), revoked lineages still count until released:",
    "register then releases your wallet's revoked lineages (releaseKeys) and tries again;",
    "through a relayer it says what to run instead (`keyledger release --owner <you>`).",
  ],
  options: {
    key: { type: "string", value: "<keyfile>", description: "key file from `keyledger keygen` (needs the private key)" },
    scopes: { type: "string", value: "<names>", description: "comma-separated scope names the DAO defined, e.g. read,trade" },
    label: { type: "string", value: "<label>", description: "label to register (default: the key file's label)" },
    ...windowOptions,
  },
  groups: ["chain", "wallet", "relay"],
  maxPositionals: 0,
  examples: [
    "KEYLEDGER_PRIVATE_KEY=0x... keyledger register --key bot.key.json --scopes read,trade --expires-in 30d",
    "keyledger register --key bot.key.json --scopes read --dev-account 1 --json",
    "keyledger register --key bot.key.json --scopes read --relay http://127.0.0.1:8787",
    "keyledger register --key bot.key.json --scopes read --sign-only --deadline 2h > register.json",
  ],
  async run({ values, out }) {
    const path = requireString(values, "key", "register");
    const scopeList = parseList(values.scopes);
    if (!scopeList.length) throw usageError("register: --scopes is required (e.g. --scopes read,trade).");
    const submission = submissionOf(values, "register");
    const key = await loadKeyFile({ path, needPrivateKey: true });
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const [scopeNames, policy, now] = await Promise.all([readScopeNames(context), readPolicy(context), chainNow(context)]);
    const scopes = scopesToMask(scopeList, scopeNames);
    const { notBefore, expiresAt } = resolveWindow({ values, now, maxLifetime: policy.maxLifetime });
    const label = typeof values.label === "string" ? values.label : key.label;
    const { keyId, newKey } = await chainNewKey({ context, key, owner: wallet.address, scopes, notBefore, expiresAt });
    let sent: { hash: Hex; receipt: TransactionReceipt };
    if (submission.kind === "direct") {
      const send = () => transact({ context, wallet, address: context.registry, abi: keyRegistryAbi, functionName: "register", args: [newKey, label] });
      try {
        sent = await send();
      } catch (error) {
        if (!(error instanceof CliError) || error.code !== "TooManyKeys") throw error;
        // Revocation leaves the cap's count alone (lazy release): give the revoked
        // lineages' places back, then register. The simulation failed, so nothing was spent.
        const keyIds = await releasableLineages({ context, owner: wallet.address });
        if (!keyIds.length) throw error;
        const freed = await releaseLineages({ context, wallet, keyIds });
        out.note(`released ${freed.released.length} revoked lineage${freed.released.length === 1 ? "" : "s"} to make room under the cap (${freed.transactions.map((t) => t.hash).join(", ")})`);
        sent = await send();
      }
    } else {
      const payload = await signForRelay({ context, wallet, operation: { operation: "register", key: newKey, label }, deadline: submission.deadline });
      if (submission.kind === "sign-only") {
        // The id is the registry's once the payload is submitted (it depends on owner and key only).
        setKeyFileKeyId({ path, keyId });
        printSignedPayloads(out, [payload]);
        out.note(`key file ${path} now carries ${keyId}, the id the key gets once the payload is relayed`);
        return exitCodes.ok;
      }
      sent = await submitThroughRelay({ context, url: submission.url, payload });
    }
    const { hash, receipt } = sent;
    setKeyFileKeyId({ path, keyId });
    const result = {
      keyId,
      version: 1,
      owner: wallet.address,
      label,
      alg: key.alg,
      scopes: maskToNames(scopes, scopeNames),
      notBefore,
      expiresAt,
      transactionHash: hash,
      blockNumber: Number(receipt.blockNumber),
    };
    out.result(
      [
        `registered ${keyId}`,
        `  key file   ${path} now carries this id`,
        `  version    1`,
        `  owner      ${wallet.address} (${wallet.source})`,
        `  label      ${label}`,
        `  alg        ${key.alg}`,
        `  scopes     ${result.scopes.join(",")}`,
        `  valid      ${formatTime(notBefore)} .. ${formatTime(expiresAt)}`,
        `  tx         ${hash} (block ${receipt.blockNumber}${submission.kind === "relay" ? ", relayed" : ""})`,
      ],
      result,
    );
    return exitCodes.ok;
  },
};
