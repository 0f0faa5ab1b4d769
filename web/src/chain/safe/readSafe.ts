import { type Address, getAddress } from "viem";
import { safeAbi } from "./safeAbi.ts";

export type ReadSafeParameters = {
  client: {
    getCode(parameters: { address: Address }): Promise<`0x${string}` | undefined>;
    readContract(parameters: { address: Address; abi: typeof safeAbi; functionName: "getOwners" | "getThreshold" | "VERSION" }): Promise<unknown>;
  };
  safe: Address;
};

export type ReadSafeReturnType = { ok: true; safe: Address; owners: Address[]; threshold: number; version: string } | { ok: false; message: string };

/**
 * A Safe's owners, threshold and version, read on chain. Refuses, in words, an address with
 * no code (an EOA, or a Safe not deployed on this chain), a contract that is not a Safe, and
 * a Safe older than 1.3.0 (its EIP-712 domain has no chainId, so the SafeMessage this page
 * builds would not be the one it checks).
 */
export async function readSafe({ client, safe }: ReadSafeParameters): Promise<ReadSafeReturnType> {
  const address = getAddress(safe);
  const code = await client.getCode({ address });
  if (!code || code === "0x") return { ok: false, message: `${address} has no code on this chain: it is not a Safe here (an ordinary account, or a Safe deployed on another chain).` };
  let owners: readonly Address[];
  let threshold: bigint;
  let version: string;
  try {
    [owners, threshold, version] = (await Promise.all([
      client.readContract({ address, abi: safeAbi, functionName: "getOwners" }),
      client.readContract({ address, abi: safeAbi, functionName: "getThreshold" }),
      client.readContract({ address, abi: safeAbi, functionName: "VERSION" }),
    ])) as [readonly Address[], bigint, string];
  } catch {
    return { ok: false, message: `${address} is a contract but not a Safe: it does not answer getOwners, getThreshold and VERSION.` };
  }
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major < 1 || (major === 1 && minor < 3)) return { ok: false, message: `This Safe is version ${version}; signing from this page needs Safe 1.3.0 or newer.` };
  if (threshold < 1n || owners.length === 0) return { ok: false, message: `${address} has no owners or threshold set up: it cannot sign.` };
  return { ok: true, safe: address, owners: owners.map((o) => getAddress(o)), threshold: Number(threshold), version };
}
