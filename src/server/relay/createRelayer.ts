import {
  type Abi,
  type Account,
  type Address,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  type Hash,
  hashTypedData,
  type Hex,
  hexToBigInt,
  http,
  HttpRequestError,
  InsufficientFundsError,
  isAddressEqual,
  type PublicClient,
  recoverTypedDataAddress,
  RpcRequestError,
  BaseError as ViemBaseError,
  TimeoutError,
  WaitForTransactionReceiptTimeoutError,
} from "viem";
import { erc1271Abi, erc1271MagicValue } from "../../chain/signedOperations/erc1271.ts";
import { parseRelayPayload } from "../../chain/signedOperations/parseRelayPayload.ts";
import { registryOperationCall } from "../../chain/signedOperations/registryOperationCall.ts";
import { registryOperationTypedData } from "../../chain/signedOperations/registryOperationTypedData.ts";
import type { RegistryOperation, RelayPayload } from "../../chain/signedOperations/types.ts";
import { keyRegistryAbi } from "../../generated/abis.ts";
import { createRateLimiter, type RateLimit } from "./createRateLimiter.ts";

export type CreateRelayerParameters = {
  /** JSON-RPC endpoint of the registry's chain. */
  rpcUrl: string;
  chainId: number;
  /** The KeyRegistry the operations are for. */
  registry: Address;
  /**
   * The account that submits and pays: a local account (from a private key; give it
   * viem's `nonceManager`) or the address of an account the node holds unlocked (a dev
   * chain). The key never leaves the account object: it is never logged nor answered.
   */
  account: Account | Address;
  /** Relayed operations per owner (default 10 per 60 s). */
  ownerRateLimit?: RateLimit | undefined;
  /** Relayed operations in all, every owner together (default 120 per 60 s): bounds what the relayer spends. */
  globalRateLimit?: RateLimit | undefined;
  /** How long to wait for the receipt before answering `pending` (default 60 s). */
  receiptTimeoutMs?: number | undefined;
  /** Clock of the rate limits, ms since the epoch (default `Date.now`). */
  now?: (() => number) | undefined;
};

/** What the relayer answers, and how the metrics count it. */
export type RelayAnswer = {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string> | undefined;
  /** The operation (one of the five, or "invalid" when the body named none): a bounded metric label. */
  operation: string;
  /** Set when a transaction was sent: "mined", "pending" or "reverted". */
  relayed?: "mined" | "pending" | "reverted" | undefined;
  /** Set when refused before sending: the answer's `error` code (bounded: the relayer's codes and the registry's error names). */
  refused?: string | undefined;
};

export type Relayer = {
  /** The submitting account's address (public: it is every relayed transaction's `from`). */
  readonly address: Address;
  /** Judges and, when everything checks out, submits one parsed JSON body. */
  relay(body: unknown): Promise<RelayAnswer>;
};

const devChainIds = [31337, 1337];
const secp256k1HalfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const registryErrors = keyRegistryAbi.filter((item) => item.type === "error") as Abi;
const registryErrorNames = new Set<string>(keyRegistryAbi.filter((item) => item.type === "error").map((item) => item.name));

/**
 * The relayer behind `POST /v1/relay`: takes an owner's signed registry operation, checks
 * it off-chain (shape, chain and registry, deadline, nonce, the signature: ECDSA for an
 * account without code, ERC-1271 `isValidSignature` for a contract wallet), applies the
 * per-owner and global rate limits, simulates the `xFor` call (a refusal answers the
 * registry's decoded custom error, nothing is sent), then submits it from `account` and
 * waits for the receipt. Operations of one owner are handled one at a time.
 */
export function createRelayer(parameters: CreateRelayerParameters): Relayer {
  const { rpcUrl, chainId, registry, account, receiptTimeoutMs = 60_000, now = Date.now } = parameters;
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const pollingInterval = devChainIds.includes(chainId) ? 50 : 1_000;
  const transport = http(rpcUrl, { retryCount: 1, timeout: 30_000 });
  const client: PublicClient = createPublicClient({ chain, pollingInterval, transport });
  const wallet = createWalletClient({ account, chain, transport });
  const address = typeof account === "string" ? account : account.address;
  const ownerLimit = createRateLimiter({ ...(parameters.ownerRateLimit ?? { limit: 10, windowSeconds: 60 }), now });
  const globalLimit = createRateLimiter({ ...(parameters.globalRateLimit ?? { limit: 120, windowSeconds: 60 }), now });
  // One owner's operations in turn (the second sees the nonce the first used); sends in turn
  // too, so that the relayer's own transaction nonces never race.
  const ownerQueues = new Map<string, Promise<unknown>>();
  let sending: Promise<unknown> = Promise.resolve();

  async function relay(body: unknown): Promise<RelayAnswer> {
    const parsed = parseRelayPayload(body);
    const named = typeof (body as { operation?: unknown } | null)?.operation === "string" ? (body as { operation: string }).operation : "";
    if (!parsed.ok) {
      const operation = parsed.error === "unknown-operation" || parsed.error === "invalid-body" ? "invalid" : named || "invalid";
      return refuse(operation, 400, parsed.error, parsed.message, { ...(parsed.field ? { field: parsed.field } : {}) });
    }
    const payload = parsed.payload;
    if (payload.chainId !== undefined && payload.chainId !== chainId) {
      return refuse(payload.operation, 400, "wrong-chain", `the operation was signed for chain ${payload.chainId}; this relayer submits to chain ${chainId}`, { field: "chainId" });
    }
    if (payload.registry !== undefined && !isAddressEqual(payload.registry, registry)) {
      return refuse(payload.operation, 400, "wrong-registry", `the operation was signed for registry ${payload.registry}; this relayer submits to ${registry}`, {
        field: "registry",
      });
    }
    const owner = payload.owner.toLowerCase();
    const previous = ownerQueues.get(owner) ?? Promise.resolve();
    const run = previous.then(() => judgeAndSend(payload));
    const settled = run.catch(() => undefined);
    ownerQueues.set(owner, settled);
    void settled.then(() => {
      if (ownerQueues.get(owner) === settled) ownerQueues.delete(owner);
    });
    return run;
  }

  async function judgeAndSend(payload: RelayPayload): Promise<RelayAnswer> {
    const name = payload.operation;
    const operation = payload as RelayPayload & RegistryOperation;
    const deadline = BigInt(payload.deadline);
    let nonce: bigint;
    let code: Hex | undefined;
    let blockTime: bigint;
    try {
      [nonce, code, blockTime] = await Promise.all([
        client.readContract({ address: registry, abi: keyRegistryAbi, functionName: "nonces", args: [payload.owner] }),
        client.getCode({ address: payload.owner }),
        client.getBlock({ blockTag: "latest" }).then((b) => b.timestamp),
      ]);
    } catch (error) {
      return chainFailure(name, error);
    }
    // The contract refuses `block.timestamp > deadline`; the next block is later than the latest.
    if (deadline <= blockTime) {
      return refuse(name, 422, "SignatureExpired", `the deadline ${deadline} has passed (chain time ${blockTime})`, { args: [String(deadline), String(blockTime)] });
    }
    if (payload.nonce !== undefined && BigInt(payload.nonce) !== nonce) {
      const used = BigInt(payload.nonce) < nonce;
      return refuse(
        name,
        409,
        used ? "nonce-used" : "nonce-ahead",
        used
          ? `nonce ${payload.nonce} of ${payload.owner} is used up (the operation was submitted already, or cancelled); the next is ${nonce}`
          : `nonce ${payload.nonce} is ahead of ${payload.owner}'s next nonce ${nonce}: submit the operations signed before it first`,
        { nonce: nonce.toString() },
      );
    }
    const typedData = registryOperationTypedData({ chainId, registry, owner: payload.owner, nonce, deadline, operation });
    const contractOwner = code !== undefined && code !== "0x";
    let valid: boolean;
    try {
      valid = contractOwner ? await isValidErc1271(payload.owner, hashTypedData(typedData as never), payload.signature) : await isValidEcdsa(typedData, payload);
    } catch (error) {
      return chainFailure(name, error);
    }
    if (!valid) {
      return refuse(
        name,
        422,
        "InvalidSignature",
        contractOwner
          ? `${payload.owner}'s isValidSignature (ERC-1271) does not accept this signature over the operation with nonce ${nonce}`
          : `the signature is not ${payload.owner}'s over this operation with nonce ${nonce} (a changed field, another signer, chain or registry)`,
        { args: [payload.owner] },
      );
    }
    // Counted only for operations the owner really signed: a forged payload naming someone
    // cannot use up their allowance.
    const ownerKey = payload.owner.toLowerCase();
    const byOwner = ownerLimit.take(ownerKey);
    if (!byOwner.ok) return rateLimited(name, "owner", byOwner.retryAfterSeconds);
    const overall = globalLimit.take("*");
    if (!overall.ok) {
      ownerLimit.refund(ownerKey);
      return rateLimited(name, "global", overall.retryAfterSeconds);
    }
    const call = registryOperationCall({ operation, owner: payload.owner, deadline, signature: payload.signature });
    let hash: Hash;
    let result: unknown;
    try {
      const turn = sending.then(async () => {
        const simulated = (await client.simulateContract({ account, address: registry, abi: keyRegistryAbi, ...call } as never)) as unknown as { request: never; result: unknown };
        const sent = await wallet.writeContract(simulated.request);
        return { sent, result: simulated.result };
      });
      sending = turn.catch(() => undefined);
      ({ sent: hash, result } = await turn);
    } catch (error) {
      const refusal = contractRefusal(error);
      if (refusal) return refuse(name, 422, refusal.name, refusal.message, { args: refusal.args });
      if (error instanceof ViemBaseError && error.walk((e) => e instanceof InsufficientFundsError)) {
        return refuse(name, 503, "relayer-unfunded", "the relayer's account cannot pay for gas; nothing was sent");
      }
      return chainFailure(name, error);
    }
    const done = { operation: name, owner: payload.owner, nonce: nonce.toString(), transactionHash: hash };
    const keyId = name === "register" || name === "rotate" ? { keyId: result as Hex } : {};
    try {
      const receipt = await client.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs });
      if (receipt.status !== "success") {
        return {
          status: 502,
          operation: name,
          relayed: "reverted",
          body: { error: "reverted", message: `the transaction reverted in block ${receipt.blockNumber} although its simulation passed`, ...done, blockNumber: Number(receipt.blockNumber) },
        };
      }
      return { status: 200, operation: name, relayed: "mined", body: { ...done, status: "mined", blockNumber: Number(receipt.blockNumber), ...keyId } };
    } catch (error) {
      if (!(error instanceof WaitForTransactionReceiptTimeoutError) && !isTransportFailure(error)) throw error;
      return { status: 202, operation: name, relayed: "pending", body: { ...done, status: "pending", ...keyId } };
    }
  }

  async function isValidEcdsa(typedData: ReturnType<typeof registryOperationTypedData>, payload: RelayPayload): Promise<boolean> {
    // What OpenZeppelin's ECDSA.tryRecover accepts: 65 bytes, v 27 or 28, s in the lower half.
    const signature = payload.signature;
    if (signature.length !== 2 + 130) return false;
    const v = Number.parseInt(signature.slice(130), 16);
    if (v !== 27 && v !== 28) return false;
    if (hexToBigInt(`0x${signature.slice(66, 130)}`) > secp256k1HalfOrder) return false;
    try {
      const recovered = await recoverTypedDataAddress({ ...(typedData as never as Parameters<typeof recoverTypedDataAddress>[0]), signature });
      return isAddressEqual(recovered, payload.owner);
    } catch {
      return false;
    }
  }

  async function isValidErc1271(owner: Address, digest: Hex, signature: Hex): Promise<boolean> {
    try {
      const magic = await client.readContract({ address: owner, abi: erc1271Abi, functionName: "isValidSignature", args: [digest, signature] });
      return magic.toLowerCase() === erc1271MagicValue;
    } catch (error) {
      // A wallet that reverts, or answers nothing (no such function), refuses, as the
      // registry's staticcall treats it; only a failure to reach the node is an error.
      if (error instanceof ViemBaseError && error.walk((e) => e instanceof ContractFunctionRevertedError || e instanceof ContractFunctionZeroDataError)) return false;
      if (isTransportFailure(error)) throw error;
      return false;
    }
  }

  return { address, relay };
}

function refuse(operation: string, status: number, error: string, message: string, extra: Record<string, unknown> = {}): RelayAnswer {
  return { status, operation, refused: error, body: { error, message, ...extra } };
}

function rateLimited(operation: string, scope: "owner" | "global", retryAfterSeconds: number): RelayAnswer {
  return {
    status: 429,
    operation,
    refused: "rate-limited",
    headers: { "retry-after": String(retryAfterSeconds) },
    body: {
      error: "rate-limited",
      message: scope === "owner" ? "too many operations for this owner; retry later" : "the relayer is at its overall limit; retry later",
      scope,
      retryAfterSeconds,
    },
  };
}

function chainFailure(operation: string, error: unknown): RelayAnswer {
  if (isTransportFailure(error)) return refuse(operation, 503, "chain-unavailable", "the relayer cannot reach its chain node; nothing was sent");
  throw error;
}

function isTransportFailure(error: unknown): boolean {
  return error instanceof ViemBaseError && Boolean(error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof RpcRequestError));
}

/** The registry's custom error a simulation hit, by name with its arguments as strings. */
function contractRefusal(error: unknown): { name: string; message: string; args: string[] } | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (!reverted) return undefined;
  let name = reverted.data?.errorName;
  let args = (reverted.data?.args as readonly unknown[] | undefined) ?? [];
  if (!name && reverted.raw && reverted.raw !== "0x") {
    try {
      const decoded = decodeErrorResult({ abi: registryErrors, data: reverted.raw });
      name = decoded.errorName;
      args = (decoded.args as readonly unknown[] | undefined) ?? [];
    } catch {
      // Not one of the registry's errors.
    }
  }
  const strings = args.map((a) => (typeof a === "object" && a !== null ? JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : String(a)));
  // Only the registry's own error names become codes (a bounded set for the metrics).
  if (name && registryErrorNames.has(name)) return { name, message: `the registry refuses the operation: ${name}(${strings.join(", ")})`, args: strings };
  return { name: "contract-error", message: `the registry refuses the operation: ${reverted.reason ?? reverted.shortMessage}`, args: strings };
}
