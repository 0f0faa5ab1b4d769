import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useConnection } from "wagmi";
import { keyRegistryAbi } from "../../../../src/generated/abis.ts";
import { registryOperationCall } from "../../../../src/chain/signedOperations/registryOperationCall.ts";
import { relayRegistryOperation } from "../../../../src/chain/signedOperations/relayRegistryOperation.ts";
import { assembleSafeSignature } from "../../chain/safe/assembleSafeSignature.ts";
import { erc1271MagicValue, safeAbi } from "../../chain/safe/safeAbi.ts";
import type { SafeSigningRequest } from "../../chain/safe/safeSigningRequest.ts";
import { describeError } from "../../lib/describeError.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { recordTransaction } from "../recentTransactions.ts";
import { type SendVia, type TransactionState, useTransaction } from "../useTransaction.ts";

export type SafeSubmitParameters = { request: SafeSigningRequest; threshold: number; via: SendVia; action: string; scopeNames: readonly string[] };

/**
 * Submits a Safe's signed operation once its owners have signed: checked first against the
 * chain (the nonce still unused, the deadline not passed, and the Safe's own ERC-1271
 * `isValidSignature` accepting the assembled signature), then relayed through the API
 * ("Let the API pay") or sent as `xFor` from the connected wallet (useTransaction).
 */
export function useSafeSubmit() {
  const { client, runtime } = useRuntime();
  const { address } = useConnection();
  const queryClient = useQueryClient();
  const tx = useTransaction();
  // Checks and relaying are this hook's; a send from the wallet is useTransaction's.
  const [own, setOwn] = useState<TransactionState | null>(null);

  const submit = useCallback(
    async ({ request, threshold, via, action, scopeNames }: SafeSubmitParameters) => {
      const fail = (error: unknown) => setOwn({ status: "failed", error: describeError({ error, scopeNames }) });
      const refuse = (title: string, detail?: string) => setOwn({ status: "failed", error: { title, detail, code: "safe-check" } });
      setOwn({ status: "preparing" });
      try {
        const { signature } = assembleSafeSignature({ request, threshold });
        const [nonce, head] = await Promise.all([
          client.readContract({ address: request.registry, abi: keyRegistryAbi, functionName: "nonces", args: [request.safe] }),
          client.getBlock({ blockTag: "latest" }),
        ]);
        if (nonce.toString() !== request.nonce) {
          return refuse(`The Safe's registry nonce is now ${nonce}, not ${request.nonce}: this request can no longer be submitted.`, "Another signed operation of the Safe went first. Prepare the operation again and collect new signatures.");
        }
        if (head.timestamp >= BigInt(request.deadline)) return refuse("The request's deadline has passed.", "Prepare the operation again and collect new signatures.");
        const accepted = await client
          .readContract({ address: request.safe, abi: safeAbi, functionName: "isValidSignature", args: [request.registryDigest, signature] })
          .catch(() => undefined);
        if (accepted !== erc1271MagicValue) {
          return refuse("The Safe does not accept these signatures.", "Its owners or threshold may have changed since they signed, or it has no ERC-1271 fallback handler (CompatibilityFallbackHandler). Nothing was sent.");
        }
        const call = registryOperationCall({ operation: request.operation, owner: request.safe, deadline: BigInt(request.deadline), signature });
        if (via === "wallet") {
          setOwn(null);
          return await tx.send({ address: request.registry, abi: keyRegistryAbi, functionName: call.functionName, args: call.args }, { scopeNames, action });
        }
        if (!runtime.relay || !runtime.apiUrl) return refuse("The API does not relay signed operations: send it from your wallet.");
        setOwn({ status: "relaying" });
        const relayed = await relayRegistryOperation({
          relayUrl: `${runtime.apiUrl}/v1/relay`,
          payload: { ...request.operation, chainId: request.chainId, registry: request.registry, owner: request.safe, nonce: request.nonce, deadline: request.deadline, signature },
        });
        const hash = relayed.transactionHash;
        if (address) recordTransaction(runtime.chainId, address, { hash, action, status: "pending", at: Date.now() });
        setOwn({ status: "pending", hash, via });
        const receipt = await client.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") throw Object.assign(new Error("Transaction reverted."), { name: "TransactionRevertedError" });
        if (address) recordTransaction(runtime.chainId, address, { hash, status: "confirmed", blockNumber: receipt.blockNumber.toString() });
        setOwn({ status: "confirmed", hash, blockNumber: receipt.blockNumber, paidBy: receipt.from });
        await queryClient.invalidateQueries({ queryKey: ["keyledger"] });
        return receipt;
      } catch (error) {
        fail(error);
        return undefined;
      }
    },
    [address, client, queryClient, runtime.apiUrl, runtime.chainId, runtime.relay, tx],
  );

  const state = own ?? tx.state;
  const busy = state.status === "preparing" || state.status === "signing" || state.status === "relaying" || state.status === "pending";
  return { state, submit, busy };
}
