import { type Address, encodeFunctionData, getAddress, type Hex, isAddress } from "viem";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { proposeRegistryCall } from "../governor.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatTime, parseKeyId } from "../parse.ts";
import { laterVersions, ownerKeysByLabel, ownerOfKeyId, readKeyRecord, readOwnerRevoked } from "../registry.ts";

type Target =
  | { kind: "key"; keyId: Hex }
  | { kind: "lineage"; keyId: Hex }
  | { kind: "owner"; owner: Address };

const functionNames = { key: "governanceRevoke", lineage: "governanceRevokeLineage", owner: "governanceRevokeOwner" } as const;

export const proposeRevoke: Command = {
  name: "propose-revoke",
  summary: "propose to the DAO that it revoke a key, a key's lineage, or every key of an owner (through the timelock)",
  usage: [
    "propose-revoke <keyId> --reason <text> [--lineage] [--description <text>]",
    "propose-revoke --owner <address> --reason <text> [--description <text>]",
  ],
  description: [
    "What is revoked:",
    "  <keyId>            that key only (KeyRegistry.governanceRevoke); a later version the owner",
    "                     rotates to, before or during the vote, stays valid.",
    "  <keyId> --lineage  that key and every later version of its lineage as it stands when the",
    "                     proposal executes (governanceRevokeLineage): rotating during the vote does",
    "                     not escape it. Earlier versions are left alone.",
    "  --owner <address>  every key of the owner, at once and finally, and the owner's new keys and",
    "                     rotations are refused from then on (governanceRevokeOwner). Cannot be undone.",
    "                     A key id's first 20 bytes are its owner's address.",
    "Refused before anything is sent: an unknown key, a key (with --lineage: a lineage) already",
    "revoked, an address that is not one, an owner already revoked.",
    "Then: `proposal vote <id>` while voting is open, `proposal queue <id>` once it succeeded,",
    "`proposal execute <id>` after the timelock delay. `proposal show <id>` tells where it stands.",
  ],
  options: {
    reason: { type: "string", value: "<text>", description: "reason recorded in the KeyRevoked / OwnerRevoked event (required)" },
    lineage: { type: "boolean", description: "also revoke every later version of the key's lineage (as it stands at execution)" },
    owner: { type: "string", value: "<address>", description: "revoke every key of this owner and refuse its new keys (final); no <keyId> then" },
    description: {
      type: "string",
      value: "<text>",
      description:
        "proposal description (default: \"Revoke key <keyId>: <reason>\", \"Revoke key <keyId> and its later versions: ...\" or \"Revoke owner <address> (every key, final): ...\"); \"#proposer=<your address>\" is appended so nobody else can submit a copy",
    },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 1,
  examples: [
    "keyledger propose-revoke 0x3f...a1 --reason \"abusive trading bot\" --dev-account 0",
    "keyledger propose-revoke 0x3f...a1 --lineage --reason \"owner keeps rotating a leaked key\" --dev-account 0",
    "keyledger propose-revoke --owner 0x7099...79C8 --reason \"operator of a botnet\" --dev-account 0",
    "keyledger proposal vote <proposalId> --support for --dev-account 0",
  ],
  async run({ values, positionals, out }) {
    const reason = typeof values.reason === "string" && values.reason ? values.reason : undefined;
    if (!reason) throw usageError("propose-revoke: --reason is required (voters need to know why).");
    const target = parseTarget(values.owner, values.lineage === true, positionals[0]);

    const context = await connectChain({ values });
    const current: Hex[] = [];
    if (target.kind === "owner") {
      if (await readOwnerRevoked(context, target.owner)) {
        throw new CliError(`Owner ${target.owner} is already revoked: every key of theirs is dead and new ones are refused.`, {
          exitCode: exitCodes.rejected,
          code: "already-revoked",
        });
      }
      const keys = await ownerKeysByLabel(context, target.owner);
      if (keys.size === 0) out.note(`note: ${target.owner} has never registered a key on this registry; the proposal would only refuse its future keys.`);
    } else {
      const record = await readKeyRecord(context, target.keyId);
      if (record.state === 0) {
        throw new CliError(`Key ${target.keyId} is not registered on this chain.`, { exitCode: exitCodes.rejected, code: "KeyNotFound" });
      }
      const ownerRevoked = record.state === 3 && (await readOwnerRevoked(context, record.owner));
      if (ownerRevoked) {
        throw new CliError(`Key ${target.keyId} is already revoked: governance revoked its owner ${record.owner}.`, {
          exitCode: exitCodes.rejected,
          code: "already-revoked",
        });
      }
      const later = record.rotated ? await laterVersions(context, target.keyId) : [];
      if (target.kind === "lineage") {
        const states = await Promise.all(later.map(async (id) => ({ id, state: (await readKeyRecord(context, id)).state })));
        if (record.state === 3 && states.every((s) => s.state === 3)) {
          throw new CliError(`Key ${target.keyId} and every later version of its lineage are already revoked.`, {
            exitCode: exitCodes.rejected,
            code: "already-revoked",
          });
        }
        current.push(target.keyId, ...later);
      } else {
        if (record.state === 3) {
          throw new CliError(`Key ${target.keyId} is already revoked.`, {
            exitCode: exitCodes.rejected,
            code: "already-revoked",
            metaMessages: later.length ? ["It has later versions: --lineage revokes them (and any rotated to during the vote)."] : undefined,
          });
        }
        if (later.length) {
          out.note(`note: ${target.keyId} was rotated to ${later.at(-1)}; this proposal leaves later versions valid (--lineage revokes them too).`);
        }
      }
    }

    const written =
      typeof values.description === "string"
        ? values.description
        : target.kind === "owner"
          ? `Revoke owner ${target.owner} (every key, final): ${reason}`
          : target.kind === "lineage"
            ? `Revoke key ${target.keyId} and its later versions: ${reason}`
            : `Revoke key ${target.keyId}: ${reason}`;
    const wallet = await loadWallet({ values, context });
    const functionName = functionNames[target.kind];
    const subject = target.kind === "owner" ? target.owner : target.keyId;
    const calldata = encodeFunctionData({ abi: keyRegistryAbi, functionName, args: [subject, reason] } as never);
    const created = await proposeRegistryCall({ context, wallet, calldata, description: written });
    const words = {
      key: `revoke key ${subject} (this version only)`,
      lineage: `revoke key ${subject} and every later version of its lineage as it stands at execution`,
      owner: `revoke every key of owner ${subject}, finally, and refuse its new keys`,
    }[target.kind];
    const result = {
      proposalId: created.proposalId.toString(),
      action: functionName,
      ...(target.kind === "owner" ? { owner: target.owner } : { keyId: target.keyId }),
      ...(target.kind === "lineage" ? { lineageNow: current } : {}),
      reason,
      description: created.description,
      voteStart: created.voteStart,
      voteEnd: created.voteEnd,
      transactionHash: created.hash,
      blockNumber: Number(created.blockNumber),
    };
    out.result(
      [
        `proposed ${created.proposalId}`,
        `  action   KeyRegistry.${functionName}(${subject}, ${JSON.stringify(reason)})`,
        `           ${words}`,
        ...(target.kind === "lineage" ? [`  lineage  now ${current.join(" -> ")}`] : []),
        `  voting   ${formatTime(result.voteStart)} .. ${formatTime(result.voteEnd)}`,
        `  tx       ${created.hash} (block ${created.blockNumber})`,
        `next: keyledger proposal vote ${created.proposalId} --support for`,
      ],
      result,
    );
    return exitCodes.ok;
  },
};

function parseTarget(owner: unknown, lineage: boolean, keyIdText: string | undefined): Target {
  if (owner !== undefined) {
    if (keyIdText !== undefined) throw usageError("propose-revoke: pass either a <keyId> or --owner <address>, not both.");
    if (lineage) throw usageError("propose-revoke: --lineage applies to a <keyId>; --owner already revokes every key of the owner.");
    const text = String(owner).trim();
    if (!isAddress(text, { strict: false })) {
      throw usageError(`propose-revoke: --owner "${text}" is not an address (0x followed by 40 hex digits).`, [
        /^0x[0-9a-fA-F]{64}$/.test(text) ? `That is a key id: its owner is ${ownerOfKeyId(text as Hex)} (the first 20 bytes).` : "A key id's first 20 bytes are its owner's address.",
      ]);
    }
    return { kind: "owner", owner: getAddress(text) };
  }
  const keyId = parseKeyId(keyIdText);
  return { kind: lineage ? "lineage" : "key", keyId };
}
