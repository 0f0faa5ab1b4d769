import { keyRegistryAbi } from "../../generated/abis.ts";
import { algorithmFromChain } from "../../keys/index.ts";
import type { Command } from "../command.ts";
import { chainNow, connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { formatDuration, formatTime, parseKeyId, parseList } from "../parse.ts";
import { describeEvent, keyHistory, keyStates, lineageLabel, maskToNames, readKeyRecord, readScopeNames, scopesToMask, statusReasons } from "../registry.ts";

export const status: Command = {
  name: "status",
  summary: "show a key's on-chain record, whether it may be used now and why, and its event history",
  usage: ["status <keyId> [--scopes <names>]"],
  description: ["Exit code 0 when the key is valid now (with --scopes: and holds them), 1 when it is not."],
  options: {
    scopes: { type: "string", value: "<names>", description: "also require these scopes (as a verifier route would)" },
  },
  groups: ["chain"],
  maxPositionals: 1,
  examples: ["keyledger status 0x3f...a1", "keyledger status 0x3f...a1 --scopes trade --json | jq .reason"],
  async run({ values, positionals, out }) {
    const keyId = parseKeyId(positionals[0]);
    const context = await connectChain({ values });
    const [record, scopeNames, history, now] = await Promise.all([
      readKeyRecord(context, keyId),
      readScopeNames(context),
      keyHistory(context, keyId),
      chainNow(context),
    ]);
    const required = scopesToMask(parseList(values.scopes), scopeNames);
    let valid: boolean;
    let reasonCode: number;
    try {
      [valid, reasonCode] = await context.client.readContract({
        address: context.registry,
        abi: keyRegistryAbi,
        functionName: "keyStatus",
        args: [keyId, required],
      });
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    const reason = statusReasons[reasonCode] ?? `reason ${reasonCode}`;
    const events = history.map((log) => describeEvent(log, scopeNames));
    if (record.state === 0) {
      out.result([`${keyId}: unknown (never registered on chain ${context.chain.id})`], { keyId, valid: false, reason, state: "unknown", history: [] });
      return exitCodes.rejected;
    }
    const label = await lineageLabel(context, keyId, history);
    const alg = algorithmFromChain(record.algorithm);
    const scopes = maskToNames(record.scopes, scopeNames);
    const state = keyStates[record.state] ?? `state ${record.state}`;
    const timing =
      now < record.notBefore
        ? `starts in ${formatDuration(record.notBefore - now)}`
        : now < record.expiresAt
          ? `expires in ${formatDuration(record.expiresAt - now)}`
          : `expired ${formatDuration(now - record.expiresAt)} ago`;
    // getKey reports the effective state: "active" again once a suspension lapsed, which
    // keeps its end in suspendedUntil (0 once lifted or never suspended).
    const suspension =
      record.suspendedUntil === 0
        ? undefined
        : record.state === 2
          ? { status: "in force", line: `until ${formatTime(record.suspendedUntil)} (lapses in ${formatDuration(record.suspendedUntil - now)} unless the DAO extends it or revokes the key)` }
          : record.state === 1 && record.suspendedUntil <= now
            ? { status: "lapsed", line: `lapsed at ${formatTime(record.suspendedUntil)} (${formatDuration(now - record.suspendedUntil)} ago); the key reads active again` }
            : undefined;
    out.result(
      [
        `${keyId}: ${valid ? "VALID" : `NOT VALID (${reason})`}`,
        `  state      ${state}${record.rotated ? " (rotated out)" : ""}`,
        ...(suspension ? [`  suspended  ${suspension.line}`] : []),
        `  owner      ${record.owner}`,
        `  label      ${label ?? "?"}`,
        `  version    ${record.version}`,
        `  alg        ${alg}`,
        `  scopes     ${scopes.join(",") || "none"}`,
        `  valid      ${formatTime(record.notBefore)} .. ${formatTime(record.expiresAt)} (${timing})`,
        `  chain time ${formatTime(now)}`,
        "history:",
        ...events.map((e) => `  ${e.human}`),
      ],
      {
        keyId,
        valid,
        reason,
        state,
        owner: record.owner,
        label,
        version: record.version,
        alg,
        scopes,
        notBefore: record.notBefore,
        expiresAt: record.expiresAt,
        rotated: record.rotated,
        suspendedUntil: record.suspendedUntil || undefined,
        suspension: suspension?.status,
        chainTime: now,
        history: events.map((e) => e.data),
      },
    );
    return valid ? exitCodes.ok : exitCodes.rejected;
  },
};
