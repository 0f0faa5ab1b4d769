import { readFileSync } from "node:fs";
import { parseRelayPayload } from "../../chain/signedOperations/parseRelayPayload.ts";
import { relayRegistryOperation, type RelayRegistryOperationReturnType } from "../../chain/signedOperations/relayRegistryOperation.ts";
import type { RelayPayload } from "../../chain/signedOperations/types.ts";
import { CliError, usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { explainError } from "../explainError.ts";
import { relayFailure } from "../relayed.ts";

export const relay: Command = {
  name: "relay",
  summary: "submit signed registry operations (from --sign-only, the SDK or elsewhere) through a relayer",
  usage: ["relay <payload.json | -> --relay <url>"],
  description: [
    "Reads one signed payload (a JSON object) or several (an array, submitted in order) from the",
    "file or, with -, from stdin, checks their shape, and POSTs each to the relayer's /v1/relay,",
    "which checks the owner's signature, simulates, submits and pays. No wallet is needed: the",
    "signature is the authorization, and nobody on the way can change what it signs.",
  ],
  options: {
    relay: { type: "string", value: "<url>", description: "the relayer: an API base URL (POST /v1/relay is appended) or the endpoint itself" },
  },
  groups: ["chain"],
  maxPositionals: 1,
  examples: [
    "keyledger register --key bot.key.json --scopes read --sign-only > register.json",
    "keyledger relay register.json --relay http://127.0.0.1:8787",
    "cat revoke.json | keyledger relay - --relay https://api.example.com --json",
  ],
  async run({ values, positionals, out }) {
    const source = positionals[0];
    if (source === undefined) throw usageError("relay: name the payload file, or - for stdin.");
    const url = requireString(values, "relay", "relay");
    let text: string;
    try {
      text = source === "-" ? readFileSync(0, "utf8") : readFileSync(source, "utf8");
    } catch (error) {
      throw new CliError(`Cannot read ${source === "-" ? "stdin" : source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
        exitCode: exitCodes.usage,
        code: "usage",
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw usageError(`relay: ${source === "-" ? "stdin" : source} is not JSON.`);
    }
    const items = Array.isArray(json) ? json : [json];
    if (!items.length) throw usageError("relay: the payload array is empty.");
    const payloads: RelayPayload[] = items.map((item, i) => {
      const parsed = parseRelayPayload(item);
      if (!parsed.ok) throw usageError(`relay: payload${items.length > 1 ? ` ${i}` : ""} is invalid (${parsed.error}): ${parsed.message}.`);
      return parsed.payload;
    });
    const results: RelayRegistryOperationReturnType[] = [];
    for (const payload of payloads) {
      let result: RelayRegistryOperationReturnType;
      try {
        result = await relayRegistryOperation({ relayUrl: url, payload });
      } catch (error) {
        if (results.length) out.note(`${results.length} of ${payloads.length} operations were relayed before this one failed: ${results.map((r) => r.transactionHash).join(", ")}`);
        throw relayFailure(error);
      }
      if (result.status === "pending") result = await waitHere(values, result);
      results.push(result);
    }
    const lines = results.flatMap((r) => [
      `relayed ${r.operation} for ${r.owner} (nonce ${r.nonce})`,
      ...(r.keyId ? [`  key id ${r.keyId}`] : []),
      `  tx     ${r.transactionHash} (${r.blockNumber !== undefined ? `block ${r.blockNumber}` : "pending"})`,
    ]);
    out.result(lines, results.length === 1 && !Array.isArray(json) ? results[0] : { operations: results });
    return exitCodes.ok;
  },
};

/** The relayer answered before the transaction was mined: wait on our own node when we can reach one. */
async function waitHere(values: Parameters<typeof connectChain>[0]["values"], result: RelayRegistryOperationReturnType): Promise<RelayRegistryOperationReturnType> {
  try {
    const context = await connectChain({ values });
    const receipt = await context.client.waitForTransactionReceipt({ hash: result.transactionHash, timeout: 120_000 });
    if (receipt.status !== "success") {
      throw new CliError(`Relayed transaction ${result.transactionHash} reverted in block ${receipt.blockNumber}.`, { exitCode: exitCodes.reverted, code: "reverted" });
    }
    return { ...result, status: "mined", blockNumber: Number(receipt.blockNumber) };
  } catch (error) {
    throw explainError(error);
  }
}
