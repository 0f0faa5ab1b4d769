import type { Hash, Hex, TransactionReceipt } from "viem";
import { relayRegistryOperation } from "../chain/signedOperations/relayRegistryOperation.ts";
import { RelayError } from "../chain/signedOperations/RelayError.ts";
import { signRegistryOperation, type SignRegistryOperationReturnType } from "../chain/signedOperations/signRegistryOperation.ts";
import type { RegistryOperation, RelayPayload } from "../chain/signedOperations/types.ts";
import { CliError, usageError } from "./CliError.ts";
import type { CommandValues } from "./command.ts";
import { type ChainContext, chainNow } from "./connectChain.ts";
import { exitCodes } from "./exitCodes.ts";
import { contractErrorMessage, explainError } from "./explainError.ts";
import type { Wallet } from "./loadWallet.ts";
import type { Output } from "./output.ts";
import { toJson } from "./output.ts";
import { formatTime, parseDuration } from "./parse.ts";

/** How a command that changes the registry submits: itself, through a relayer, or not at all (sign only). */
export type Submission = { kind: "direct" } | { kind: "sign-only"; deadline: number } | { kind: "relay"; url: string; deadline: number };

/** The submission mode from --sign-only, --relay and --deadline. */
export function submissionOf(values: CommandValues, command: string): Submission {
  const signOnly = values["sign-only"] === true;
  const url = typeof values.relay === "string" ? values.relay : undefined;
  if (signOnly && url !== undefined) throw usageError(`${command}: pass either --sign-only or --relay, not both.`);
  const deadlineText = typeof values.deadline === "string" ? values.deadline : undefined;
  if (!signOnly && url === undefined) {
    if (deadlineText !== undefined) throw usageError(`${command}: --deadline goes with --sign-only or --relay.`);
    return { kind: "direct" };
  }
  const deadline = parseDuration(deadlineText ?? "1h", "--deadline");
  if (deadline < 1) throw usageError(`${command}: --deadline must be at least 1 second.`);
  if (url === undefined) return { kind: "sign-only", deadline };
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw usageError(`${command}: --relay takes an http(s) URL, got "${url}".`);
  }
  return { kind: "relay", url, deadline };
}

/** Signs `operation` with the wallet (nonce from the chain unless given), valid until chain time + deadline. */
export async function signForRelay({
  context,
  wallet,
  operation,
  deadline,
  nonce,
}: {
  context: ChainContext;
  wallet: Wallet;
  operation: RegistryOperation;
  deadline: number;
  nonce?: bigint | undefined;
}): Promise<SignRegistryOperationReturnType> {
  try {
    const now = await chainNow(context);
    return await signRegistryOperation({
      client: context.client,
      signer: wallet.client,
      registry: context.registry,
      operation,
      deadline: BigInt(now + deadline),
      nonce,
    });
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}

/** Prints signed payloads (always JSON: one object, or an array for several) and says how to submit them. */
export function printSignedPayloads(out: Output, payloads: readonly SignRegistryOperationReturnType[]): void {
  process.stdout.write(`${toJson(payloads.length === 1 ? payloads[0] : payloads, 2)}\n`);
  const first = payloads[0]!;
  const nonces = payloads.map((p) => p.nonce).join(", ");
  out.note(
    `signed ${payloads.map((p) => p.operation).join(", ")} for ${first.owner} (nonce ${nonces}), submittable until ${formatTime(Number(first.deadline))}; nothing was sent.`,
  );
  out.note("Submit it with: keyledger relay <payload.json | -> --relay <url>   (anyone may submit it; nobody can change it)");
}

/** A relayer's refusal as a CLI error with the relayer's code and a matching exit code. */
export function relayFailure(error: unknown): CliError {
  if (!(error instanceof RelayError)) return explainError(error);
  const { code, status } = error;
  const contract = /^[A-Z]/.test(code) || code === "contract-error";
  const message = contract && code !== "contract-error" ? contractErrorMessage(code, error.args ?? []) : error.shortMessage;
  const exitCode =
    code === "relay-unreachable" || status === 404 || status >= 500
      ? exitCodes.network
      : contract || status === 409 || status === 422
        ? exitCodes.reverted
        : status === 400 || status === 413 || status === 415
          ? exitCodes.usage
          : exitCodes.rejected;
  const hints = [
    ...(error.field ? [`Field: ${error.field}.`] : []),
    ...(error.retryAfterSeconds !== undefined ? [`Retry after ${error.retryAfterSeconds} s.`] : []),
    ...(code === "relay-disabled" ? ["That server does not relay: start the API with --relay (npm start does)."] : []),
  ];
  return new CliError(`The relayer refused the operation: ${message}`, { exitCode, code, metaMessages: hints.length ? hints : undefined });
}

export type RelayedTransaction = { hash: Hash; receipt: TransactionReceipt; keyId?: Hex | undefined };

/** Submits through the relayer and waits for the receipt (from the relayer's node, then ours if it answered pending). */
export async function submitThroughRelay({ context, url, payload }: { context: ChainContext; url: string; payload: RelayPayload }): Promise<RelayedTransaction> {
  let relayed: Awaited<ReturnType<typeof relayRegistryOperation>>;
  try {
    relayed = await relayRegistryOperation({ relayUrl: url, payload });
  } catch (error) {
    throw relayFailure(error);
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await context.client.waitForTransactionReceipt({ hash: relayed.transactionHash, timeout: 120_000 });
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
  if (receipt.status !== "success") {
    throw new CliError(`Relayed transaction ${relayed.transactionHash} reverted in block ${receipt.blockNumber}.`, { exitCode: exitCodes.reverted, code: "reverted" });
  }
  return { hash: relayed.transactionHash, receipt, keyId: relayed.keyId };
}
