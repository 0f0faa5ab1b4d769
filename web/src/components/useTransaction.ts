import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import type { Abi, Address, Hex, TransactionReceipt } from "viem";
import { useConfig } from "wagmi";
import { getConnection, signTypedData, writeContract } from "wagmi/actions";
import { withErrors } from "../chain/contractsAbi.ts";
import { registryOperationFromCall, relaySigned } from "../chain/relaySigned.ts";
import { describeError, type DescribedError } from "../lib/describeError.ts";
import { waitForIndexed } from "../indexer/index.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { describeAction, recordTransaction } from "./recentTransactions.ts";

export type TransactionRequest = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
};

export type TransactionState =
  | { status: "idle" }
  | { status: "preparing" }
  | { status: "signing"; via?: SendVia | undefined }
  /** Signed: the API's relayer checks, simulates and submits it. */
  | { status: "relaying" }
  | { status: "pending"; hash: Hex; via?: SendVia | undefined }
  /** `paidBy`: the relayer's account that sent (and paid for) a relayed transaction. */
  | { status: "confirmed"; hash: Hex; blockNumber: bigint; paidBy?: Address | undefined }
  | { status: "failed"; error: DescribedError; hash?: Hex | undefined };

/** "wallet": a transaction from the connected account; "relay": its EIP-712 signature, submitted and paid for by the API's relayer. */
export type SendVia = "wallet" | "relay";

export type SendOptions = {
  /** Runs before simulation (e.g. signing a proof of possession); its errors are shown like the transaction's. */
  prepare?: () => Promise<TransactionRequest>;
  scopeNames?: readonly string[] | undefined;
  /** The action in words for the account's recent transactions; default from the function name. */
  action?: string | undefined;
  /** Default "wallet". "relay" needs a call with a signed form (`registryOperationFromCall`) and an API that relays. */
  via?: SendVia | undefined;
};

/**
 * One contract write with every state visible: preparing (simulated first, so a
 * refusal is shown decoded before the wallet is bothered), waiting for the
 * wallet, pending, confirmed or failed, with the reason in words.
 */
export function useTransaction() {
  const config = useConfig();
  const { client, runtime, indexer } = useRuntime();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TransactionState>({ status: "idle" });
  const busy = useRef(false);

  const send = useCallback(
    async (request: TransactionRequest | null, options: SendOptions = {}): Promise<TransactionReceipt | undefined> => {
      if (busy.current) return undefined;
      busy.current = true;
      let hash: Hex | undefined;
      let sentBy: Address | undefined;
      try {
        setState({ status: "preparing" });
        const connection = getConnection(config);
        if (!connection.isConnected) throw Object.assign(new Error("Not connected."), { name: "ConnectorNotConnectedError" });
        if (connection.chainId !== runtime.chainId) throw Object.assign(new Error("Wrong network."), { name: "ChainMismatchError" });
        const resolved = options.prepare ? await options.prepare() : request;
        if (!resolved) throw new Error("Nothing to send.");
        const abi = withErrors(resolved.abi);
        const { request: simulated } = await client.simulateContract({
          account: connection.address,
          address: resolved.address,
          abi,
          functionName: resolved.functionName,
          args: resolved.args,
        });
        const sender = connection.address!;
        const via: SendVia = options.via ?? "wallet";
        if (via === "relay") {
          // Simulated above as the owner (the registry's checks are the same for `xFor`); the relayer
          // simulates the signed call again before it sends, and its refusal is decoded like this one.
          const operation = registryOperationFromCall(resolved);
          if (!operation) throw new Error(`“${resolved.functionName}” has no signed form: send it from your wallet.`);
          if (!runtime.relay || !runtime.apiUrl) throw new Error("The API does not relay signed operations: send it from your wallet.");
          setState({ status: "signing", via });
          const relayed = await relaySigned({
            client,
            chainId: runtime.chainId,
            registry: resolved.address,
            owner: sender,
            operation,
            sign: (typedData) => signTypedData(config, { account: sender, ...(typedData as Parameters<typeof signTypedData>[1]) }),
            relayUrl: `${runtime.apiUrl}/v1/relay`,
            onSigned: () => setState({ status: "relaying" }),
          });
          hash = relayed.transactionHash;
        } else {
          setState({ status: "signing" });
          hash = await writeContract(config, { ...(simulated as Parameters<typeof writeContract>[1]), chainId: runtime.chainId });
        }
        sentBy = sender;
        recordTransaction(runtime.chainId, sender, { hash, action: options.action ?? describeAction(resolved.functionName), status: "pending", at: Date.now() });
        setState({ status: "pending", hash, via });
        const receipt = await client.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") throw Object.assign(new Error("Transaction reverted."), { name: "TransactionRevertedError" });
        recordTransaction(runtime.chainId, sender, { hash, status: "confirmed", blockNumber: receipt.blockNumber.toString() });
        setState({ status: "confirmed", hash, blockNumber: receipt.blockNumber, ...(via === "relay" ? { paidBy: receipt.from } : {}) });
        // The lists come from the indexer: ask it again as soon as it has this block
        // (watched from now, not after the contract reads below have been answered).
        void waitForIndexed(indexer, receipt.blockNumber).then(async (reached) => {
          if (reached) await queryClient.invalidateQueries({ queryKey: ["keyledger", "indexer"] });
        });
        await queryClient.invalidateQueries({ queryKey: ["keyledger"] });
        return receipt;
      } catch (error) {
        if (hash && sentBy) recordTransaction(runtime.chainId, sentBy, { hash, status: "failed" });
        setState({ status: "failed", hash, error: describeError({ error, scopeNames: options.scopeNames }) });
        return undefined;
      } finally {
        busy.current = false;
      }
    },
    [client, config, indexer, queryClient, runtime.apiUrl, runtime.chainId, runtime.relay],
  );

  /**
   * A dry run, before anything is confirmed: prepares the request and simulates it as the
   * connected account. Resolves to the decoded refusal (a duplicate key, a policy
   * violation…), or null when the registry would accept it. Nothing is signed by the wallet.
   */
  const simulate = useCallback(
    async (request: TransactionRequest | null, options: SendOptions = {}): Promise<DescribedError | null> => {
      try {
        const connection = getConnection(config);
        if (!connection.isConnected) throw Object.assign(new Error("Not connected."), { name: "ConnectorNotConnectedError" });
        const resolved = options.prepare ? await options.prepare() : request;
        if (!resolved) throw new Error("Nothing to send.");
        await client.simulateContract({ account: connection.address, address: resolved.address, abi: withErrors(resolved.abi), functionName: resolved.functionName, args: resolved.args });
        return null;
      } catch (error) {
        return describeError({ error, scopeNames: options.scopeNames });
      }
    },
    [client, config],
  );

  const reset = useCallback(() => setState({ status: "idle" }), []);
  return { state, send, simulate, reset, busy: state.status === "preparing" || state.status === "signing" || state.status === "relaying" || state.status === "pending" };
}
