// A 2-of-3 Safe (the real safe-smart-account contracts) owns API keys: it registers,
// rotates and revokes them by its own transactions (execTransaction with two owners'
// EIP-712 signatures), one owner alone cannot, and the verifier attributes requests
// signed with such a key to the Safe.
import { type Address, encodeFunctionData, type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainKeyResolver } from "../../src/chain/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { createVerifier } from "../../src/verifier/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { createSafe, deploySafeInfrastructure, execSafeTransaction } from "../helpers/safe.ts";

let node: LocalNode;
let safe: Address;
let registry: Address;
const owners = [devAccounts[13], devAccounts[14], devAccounts[15]];
const relayer = devAccounts[16];

beforeAll(async () => {
  node = await startLocalNode();
  registry = node.manifest.contracts.KeyRegistry.address;
  const infra = await deploySafeInfrastructure(node.rpcUrl, relayer);
  safe = await createSafe(node.rpcUrl, infra, { owners, threshold: 2, from: relayer });
}, 120_000);

afterAll(async () => {
  await node?.stop();
});

const chainNow = async () => Number((await localClients(node.rpcUrl).publicClient.getBlock()).timestamp);
const getKey = (keyId: Hex) => localClients(node.rpcUrl).publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "getKey", args: [keyId] });

async function newKeyArgs(key: KeyFile) {
  const now = await chainNow();
  return {
    algorithm: algorithmToChain(key.alg),
    publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
    scopes: 0b11,
    notBefore: now,
    expiresAt: now + 30 * 86_400,
    // The proof binds the owner: here the Safe, the account that sends the call.
    proof: await signProofOfPossession({ key, chainId: 31337, registry, owner: safe }),
  };
}

describe("a 2-of-3 Safe as a key owner", () => {
  it("is a real Safe: three owners, threshold two", async () => {
    const { publicClient } = localClients(node.rpcUrl);
    const { safeArtifacts } = await import("../helpers/safe.ts");
    expect(await publicClient.readContract({ address: safe, abi: safeArtifacts.Safe.abi, functionName: "getThreshold" })).toBe(2n);
    expect(((await publicClient.readContract({ address: safe, abi: safeArtifacts.Safe.abi, functionName: "getOwners" })) as Address[]).map((a) => a.toLowerCase())).toEqual(
      owners.map((a) => a.toLowerCase()),
    );
  });

  it("registers, rotates and revokes by its own transactions; one owner's signature is not enough", async () => {
    const v1 = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "treasury-bot" }), owner: safe });
    const register = encodeFunctionData({ abi: keyRegistryAbi, functionName: "register", args: [await newKeyArgs(v1), "treasury-bot"] });

    await expect(execSafeTransaction(node.rpcUrl, { safe, to: registry, data: register, signers: [owners[0]!], submitter: relayer })).rejects.toThrow(/GS020|reverted/);
    expect((await getKey(v1.keyId)).state).toBe(0);

    await execSafeTransaction(node.rpcUrl, { safe, to: registry, data: register, signers: [owners[0]!, owners[2]!], submitter: relayer });
    expect(await getKey(v1.keyId)).toMatchObject({ owner: safe, state: 1, version: 1 });

    // The Safe's key, verified by the chain resolver and the verifier: the request is attributed to the Safe.
    const keys = chainKeyResolver({ manifest: node.manifest, rpcUrl: node.rpcUrl, pollingIntervalMs: 100 });
    await keys.ready();
    // Key windows are judged by the chain's clock, which the deployment may have moved ahead.
    const clockSkew = (await chainNow()) * 1000 - Date.now();
    const at = () => Date.now() + clockSkew;
    const judged = createVerifier({ keys, now: at });
    try {
      const sign = async (key: KeyFile) => signRequest(new Request("http://api.test/v1/prices"), { key, created: Math.floor(at() / 1000) });
      const accepted = await judged.verify(await sign(v1));
      expect(accepted).toMatchObject({ ok: true, keyId: v1.keyId, owner: safe, label: "treasury-bot", version: 1 });

      const v2 = bindKeyId({ key: await generateKey({ alg: "ecdsa-p256-sha256", label: "treasury-bot" }), owner: safe });
      const rotate = encodeFunctionData({ abi: keyRegistryAbi, functionName: "rotate", args: [v1.keyId, await newKeyArgs(v2), 600] });
      await execSafeTransaction(node.rpcUrl, { safe, to: registry, data: rotate, signers: [owners[1]!, owners[2]!], submitter: relayer });
      expect(await getKey(v1.keyId)).toMatchObject({ rotated: true });
      expect(await getKey(v2.keyId)).toMatchObject({ owner: safe, state: 1, version: 2 });

      const revoke = encodeFunctionData({ abi: keyRegistryAbi, functionName: "revoke", args: [v2.keyId, "treasury bot retired"] });
      await execSafeTransaction(node.rpcUrl, { safe, to: registry, data: revoke, signers: [owners[0]!, owners[1]!], submitter: relayer });
      expect((await getKey(v2.keyId)).state).toBe(3);

      // The resolver follows the Safe's revocation within its polling bound.
      const deadline = Date.now() + 5_000;
      let verdict = await judged.verify(await sign(v2));
      while (verdict.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        verdict = await judged.verify(await sign(v2));
      }
      expect(verdict).toMatchObject({ ok: false, reason: "key-revoked" });
    } finally {
      await judged.close();
    }
  });

  it("an owner of the Safe cannot act on the Safe's keys from its own wallet", async () => {
    const key = bindKeyId({ key: await generateKey({ alg: "ed25519", label: "ops" }), owner: safe });
    const register = encodeFunctionData({ abi: keyRegistryAbi, functionName: "register", args: [await newKeyArgs(key), "ops"] });
    await execSafeTransaction(node.rpcUrl, { safe, to: registry, data: register, signers: [owners[0]!, owners[1]!], submitter: relayer });
    const { publicClient } = localClients(node.rpcUrl);
    await expect(
      publicClient.simulateContract({ account: owners[0]!, address: registry, abi: keyRegistryAbi, functionName: "revoke", args: [key.keyId, "rogue owner"] }),
    ).rejects.toThrow(/NotKeyOwner/);
    expect((await getKey(key.keyId)).state).toBe(1);
  });
});
