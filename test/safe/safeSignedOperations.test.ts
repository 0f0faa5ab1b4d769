// A 2-of-3 Safe (the real safe-smart-account 1.5.0 contracts) manages its keys through
// the registry's EIP-712 signed operations, without sending a Safe transaction: two
// owners sign the registry's digest as a SafeMessage (EIP-712 over the Safe's domain),
// a relayer submits, and the registry checks the signature through ERC-1271 (the
// Safe's CompatibilityFallbackHandler.isValidSignature -> Safe.checkSignatures).
import { type Address, concat, getAddress, type Hex, hashTypedData, parseEventLogs, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { registerForTypedData, revokeForTypedData, rotateForTypedData, setRotatorForTypedData } from "../../src/chain/signedOperations/index.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { revertError } from "../helpers/revertError.ts";
import { createSafe, deploySafeInfrastructure, safeArtifacts, safeMessageSignature } from "../helpers/safe.ts";

let node: LocalNode;
let safe: Address;
let registry: Address;
const owners = [devAccounts[13], devAccounts[14], devAccounts[15]];
const relayer = devAccounts[16];
const chainId = 31337;
const FAR = 2n ** 40n;

beforeAll(async () => {
  node = await startLocalNode();
  registry = node.manifest.contracts.KeyRegistry.address;
  const infra = await deploySafeInfrastructure(node.rpcUrl, relayer);
  safe = await createSafe(node.rpcUrl, infra, { owners, threshold: 2, from: relayer });
}, 120_000);

afterAll(async () => {
  await node?.stop();
});

const clients = () => localClients(node.rpcUrl);
const chainNow = async () => Number((await clients().publicClient.getBlock()).timestamp);
const read = <T>(functionName: string, args: readonly unknown[]) =>
  clients().publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: functionName as never, args: args as never }) as Promise<T>;
const getKey = (keyId: Hex) => read<{ owner: Address; state: number; version: number; scopes: number; rotated: boolean }>("getKey", [keyId]);
const nonce = () => read<bigint>("nonces", [safe]);

async function newKeyArgs(key: KeyFile, scopes = 0b11) {
  const now = await chainNow();
  return {
    algorithm: algorithmToChain(key.alg),
    publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
    scopes,
    notBefore: now,
    expiresAt: now + 30 * 86_400,
    // The owner is the Safe, whoever sends the transaction.
    proof: await signProofOfPossession({ key, chainId, registry, owner: safe }),
  };
}

const safeSignature = (digest: Hex, signers: readonly Address[]) => safeMessageSignature({ rpcUrl: node.rpcUrl, safe, chainId, digest, signers });

/** Submits `functionName(args)` from the relayer (simulated first, so a refusal throws with its custom error). */
async function relay(functionName: "registerFor" | "rotateFor" | "revokeFor" | "setRotatorFor", args: readonly unknown[]) {
  const { publicClient, walletClient } = clients();
  const { request } = await publicClient.simulateContract({ account: relayer, address: registry, abi: keyRegistryAbi, functionName, args: args as never });
  const hash = await walletClient.writeContract(request as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

describe("a 2-of-3 Safe signs registry operations (ERC-1271), a relayer submits them", () => {
  it("registers, appoints a rotator, rotates and revokes with two owners' signatures; the Safe sends no transaction and spends no ETH", async () => {
    const { publicClient } = clients();
    const safeNonce = () => publicClient.readContract({ address: safe, abi: safeArtifacts.Safe.abi, functionName: "nonce" }) as Promise<bigint>;
    const safeNonceBefore = await safeNonce();
    expect(await publicClient.getBalance({ address: safe })).toBe(0n);
    const base = async () => ({ chainId, registry, owner: safe, nonce: await nonce(), deadline: FAR });

    // registerFor
    const v1 = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "treasury-bot" }), owner: safe });
    const key1 = await newKeyArgs(v1);
    const register = registerForTypedData({ ...(await base()), key: key1, label: "treasury-bot" });
    const registerSig = await safeSignature(hashTypedData(register), [owners[0]!, owners[2]!]);
    await relay("registerFor", [safe, key1, "treasury-bot", FAR, registerSig]);
    expect(await getKey(v1.keyId)).toMatchObject({ owner: safe, state: 1, version: 1 });
    expect(await nonce()).toBe(1n);
    // The same signature again: its nonce is used.
    const replay = await revertError(
      publicClient.simulateContract({ account: relayer, address: registry, abi: keyRegistryAbi, functionName: "registerFor", args: [safe, key1, "treasury-bot", FAR, registerSig] }),
      keyRegistryAbi,
    );
    expect(replay).toEqual({ errorName: "InvalidSignature", args: [safe] });

    // setRotatorFor
    const rotator = devAccounts[17];
    const setRotator = setRotatorForTypedData({ ...(await base()), rotator });
    await relay("setRotatorFor", [safe, rotator, FAR, await safeSignature(hashTypedData(setRotator), [owners[1]!, owners[2]!])]);
    expect(getAddress(await read<Address>("rotatorOf", [safe]))).toBe(getAddress(rotator));

    // rotateFor, to an on-chain-checked P-256 key whose proof is for the Safe.
    const v2 = bindKeyId({ key: await generateKey({ alg: "ecdsa-p256-sha256", label: "treasury-bot" }), owner: safe });
    const key2 = await newKeyArgs(v2);
    const rotate = rotateForTypedData({ ...(await base()), oldKeyId: v1.keyId, key: key2, overlap: 600 });
    await relay("rotateFor", [safe, v1.keyId, key2, 600, FAR, await safeSignature(hashTypedData(rotate), [owners[0]!, owners[1]!])]);
    expect(await getKey(v1.keyId)).toMatchObject({ rotated: true });
    expect(await getKey(v2.keyId)).toMatchObject({ owner: safe, state: 1, version: 2 });

    // revokeFor: KeyRevoked names the Safe.
    const revoke = revokeForTypedData({ ...(await base()), keyId: v2.keyId, reason: "treasury bot retired" });
    const receipt = await relay("revokeFor", [safe, v2.keyId, "treasury bot retired", FAR, await safeSignature(hashTypedData(revoke), [owners[2]!, owners[0]!])]);
    expect((await getKey(v2.keyId)).state).toBe(3);
    const [revoked] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRevoked" });
    expect(getAddress(revoked!.args.by)).toBe(getAddress(safe));

    // The Safe executed nothing and paid nothing: every transaction was the relayer's.
    expect(await safeNonce()).toBe(safeNonceBefore);
    expect(await publicClient.getBalance({ address: safe })).toBe(0n);
    expect(await nonce()).toBe(4n);
  });

  it("refuses a signature by one owner only, by non-owners, or over another Safe's domain (InvalidSignature)", async () => {
    const { publicClient } = clients();
    const key = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "ops" }), owner: safe });
    const args = await newKeyArgs(key);
    const typedData = registerForTypedData({ chainId, registry, owner: safe, nonce: await nonce(), deadline: FAR, key: args, label: "ops" });
    const digest = hashTypedData(typedData);
    const attempt = (signature: Hex) =>
      revertError(
        publicClient.simulateContract({ account: relayer, address: registry, abi: keyRegistryAbi, functionName: "registerFor", args: [safe, args, "ops", FAR, signature] }),
        keyRegistryAbi,
      );
    const refused = { errorName: "InvalidSignature", args: [safe] };
    // One owner of three, below the threshold of two.
    for (const owner of owners) expect(await attempt(await safeSignature(digest, [owner!]))).toEqual(refused);
    // Two accounts that are not owners.
    expect(await attempt(await safeSignature(digest, [devAccounts[5], devAccounts[6]]))).toEqual(refused);
    // An owner's plain EOA signature of the registry's typed data (not a SafeMessage).
    const plain = await clients().walletClient.signTypedData({ account: owners[0]!, ...typedData });
    expect(await attempt(concat([plain, plain]))).toEqual(refused);
    // Two owners, but over another digest (other parameters).
    const other = hashTypedData({ ...typedData, message: { ...typedData.message, label: "other" } });
    expect(await attempt(await safeSignature(other, [owners[0]!, owners[1]!]))).toEqual(refused);
    // Nothing was registered; two owners over the right digest are accepted.
    expect((await getKey(key.keyId)).state).toBe(0);
    await relay("registerFor", [safe, args, "ops", FAR, await safeSignature(digest, [owners[0]!, owners[1]!])]);
    expect(await getKey(key.keyId)).toMatchObject({ owner: safe, state: 1 });
  });
});
