// A real Safe (safe-smart-account 1.5.0, from its published artifacts) on a local
// node: singleton, proxy factory and fallback handler deployed as-is, an N-of-M
// Safe created through the factory, and Safe transactions signed by its owners
// (EIP-712 SafeTx) and executed with execTransaction.
import { createRequire } from "node:module";
import { type Abi, type Address, concat, encodeFunctionData, type Hex, parseEventLogs, zeroAddress } from "viem";
import { localClients } from "./clients.ts";

const require = createRequire(import.meta.url);
const artifact = (path: string) => require(`@safe-global/safe-smart-account/build/artifacts/contracts/${path}`) as { abi: Abi; bytecode: Hex };
export const safeArtifacts = {
  Safe: artifact("Safe.sol/Safe.json"),
  SafeProxyFactory: artifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json"),
  CompatibilityFallbackHandler: artifact("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"),
};

export type SafeInfrastructure = { singleton: Address; factory: Address; fallbackHandler: Address };

async function deploy(rpcUrl: string, from: Address, { abi, bytecode }: { abi: Abi; bytecode: Hex }): Promise<Address> {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const hash = await walletClient.deployContract({ account: from, abi, bytecode, chain: walletClient.chain });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("Safe deployment failed");
  return receipt.contractAddress;
}

export async function deploySafeInfrastructure(rpcUrl: string, from: Address): Promise<SafeInfrastructure> {
  const [singleton, factory, fallbackHandler] = [
    await deploy(rpcUrl, from, safeArtifacts.Safe),
    await deploy(rpcUrl, from, safeArtifacts.SafeProxyFactory),
    await deploy(rpcUrl, from, safeArtifacts.CompatibilityFallbackHandler),
  ];
  return { singleton, factory, fallbackHandler };
}

/** A new Safe proxy with these owners and threshold (and the compatibility handler, for ERC-1271). */
export async function createSafe(rpcUrl: string, infra: SafeInfrastructure, { owners, threshold, from }: { owners: Address[]; threshold: number; from: Address }): Promise<Address> {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const initializer = encodeFunctionData({
    abi: safeArtifacts.Safe.abi,
    functionName: "setup",
    args: [owners, BigInt(threshold), zeroAddress, "0x", infra.fallbackHandler, zeroAddress, 0n, zeroAddress],
  });
  const hash = await walletClient.writeContract({
    account: from,
    chain: walletClient.chain,
    address: infra.factory,
    abi: safeArtifacts.SafeProxyFactory.abi,
    functionName: "createProxyWithNonce",
    args: [infra.singleton, initializer, BigInt(Date.now())],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const [created] = parseEventLogs({ abi: safeArtifacts.SafeProxyFactory.abi, logs: receipt.logs, eventName: "ProxyCreation" }) as unknown as [{ args: { proxy: Address } }];
  return created.args.proxy;
}

/** Signs a call from the Safe with `signers` (EIP-712 SafeTx) and executes it from `submitter`. */
export async function execSafeTransaction(
  rpcUrl: string,
  { safe, to, data, signers, submitter }: { safe: Address; to: Address; data: Hex; signers: Address[]; submitter: Address },
) {
  const { publicClient, walletClient } = localClients(rpcUrl);
  const abi = safeArtifacts.Safe.abi;
  const nonce = (await publicClient.readContract({ address: safe, abi, functionName: "nonce" })) as bigint;
  const message = { to, value: 0n, data, operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zeroAddress, refundReceiver: zeroAddress, nonce };
  const signatures = await Promise.all(
    [...signers]
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .map((account) =>
        walletClient.signTypedData({
          account,
          domain: { chainId: 31337, verifyingContract: safe },
          types: {
            SafeTx: [
              { name: "to", type: "address" },
              { name: "value", type: "uint256" },
              { name: "data", type: "bytes" },
              { name: "operation", type: "uint8" },
              { name: "safeTxGas", type: "uint256" },
              { name: "baseGas", type: "uint256" },
              { name: "gasPrice", type: "uint256" },
              { name: "gasToken", type: "address" },
              { name: "refundReceiver", type: "address" },
              { name: "nonce", type: "uint256" },
            ],
          },
          primaryType: "SafeTx",
          message,
        }),
      ),
  );
  const { request } = await publicClient.simulateContract({
    account: submitter,
    address: safe,
    abi,
    functionName: "execTransaction",
    args: [to, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, concat(signatures)],
  });
  const hash = await walletClient.writeContract(request as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const failed = parseEventLogs({ abi, logs: receipt.logs, eventName: "ExecutionFailure" as never });
  if (receipt.status !== "success" || failed.length) throw new Error(`Safe transaction failed (${hash})`);
  return receipt;
}

export type SafeMessageSignatureParameters = { rpcUrl: string; safe: Address; chainId: number; digest: Hex; signers: readonly Address[] };

/**
 * The Safe's ERC-1271 signature over `digest` (e.g. the registry's EIP-712 digest): each
 * signer signs SafeMessage(bytes message = digest) in the Safe's own EIP-712 domain, and
 * the 65-byte signatures are concatenated in ascending signer order.
 */
export async function safeMessageSignature({ rpcUrl, safe, chainId, digest, signers }: SafeMessageSignatureParameters): Promise<Hex> {
  const { walletClient } = localClients(rpcUrl);
  const signatures = await Promise.all(
    [...signers]
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .map((account) =>
        walletClient.signTypedData({
          account,
          domain: { chainId, verifyingContract: safe },
          types: { SafeMessage: [{ name: "message", type: "bytes" }] },
          primaryType: "SafeMessage",
          message: { message: digest },
        }),
      ),
  );
  return concat(signatures);
}
