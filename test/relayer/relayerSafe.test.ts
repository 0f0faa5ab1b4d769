// The relayer with a contract-wallet owner: a 2-of-3 Safe (the real safe-smart-account
// 1.5.0 contracts) signs through ERC-1271, which the relayer checks off-chain with an
// eth_call to the Safe's isValidSignature before simulating. The relayer here is an
// unlocked node account (the dev stack's setup), and the global cap is small.
import { type Address, hashTypedData, type Hex, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryOperationTypedData, type RegistryOperation, type RelayPayload, signRegistryOperation } from "../../src/chain/signedOperations/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { createSafe, deploySafeInfrastructure, safeMessageSignature } from "../helpers/safe.ts";

let node: LocalNode;
let api: StartApiServerReturnType;
let safe: Address;
let registry: Address;
const owners = [devAccounts[13], devAccounts[14], devAccounts[15]];
const relayer = devAccounts[17];
const chainId = 31337;
const globalLimit = 3;

beforeAll(async () => {
  node = await startLocalNode();
  registry = node.manifest.contracts.KeyRegistry.address;
  const infra = await deploySafeInfrastructure(node.rpcUrl, devAccounts[16]);
  safe = await createSafe(node.rpcUrl, infra, { owners, threshold: 2, from: devAccounts[16] });
  api = await startApiServer({
    rpcUrl: node.rpcUrl,
    manifest: node.manifest,
    port: 0,
    relay: { account: relayer, globalRateLimit: { limit: globalLimit, windowSeconds: 3600 } },
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await node?.stop();
});

const clients = () => localClients(node.rpcUrl);
const chainNow = async () => Number((await clients().publicClient.getBlock()).timestamp);
const safeNonce = () => clients().publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "nonces", args: [safe] });

const safeSignature = (digest: Hex, signers: readonly Address[]) => safeMessageSignature({ rpcUrl: node.rpcUrl, safe, chainId, digest, signers });

async function safePayload(operation: RegistryOperation, signers: readonly Address[]): Promise<RelayPayload> {
  const nonce = await safeNonce();
  const deadline = BigInt((await chainNow()) + 600);
  const digest = hashTypedData(registryOperationTypedData({ chainId, registry, owner: safe, nonce, deadline, operation }) as never);
  return { ...operation, chainId, registry, owner: safe, nonce: nonce.toString(), deadline: deadline.toString(), signature: await safeSignature(digest, signers) };
}

async function post(body: unknown) {
  const response = await fetch(`${api.url}/v1/relay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("relayer: an ERC-1271 owner (Safe) and the global cap", () => {
  it("relays a Safe's registration signed by two of its owners; one owner alone is refused off-chain", async () => {
    const now = await chainNow();
    const key = bindKeyId({ key: await generateKey({ label: "treasury" }), owner: safe });
    const operation: RegistryOperation = {
      operation: "register",
      label: "treasury",
      key: {
        algorithm: algorithmToChain(key.alg),
        publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
        scopes: 1,
        notBefore: now,
        expiresAt: now + 86_400,
        proof: await signProofOfPossession({ key, chainId, registry, owner: safe }),
      },
    };
    const single = await post(await safePayload(operation, [owners[0]!]));
    expect(single.status).toBe(422);
    expect(single.body).toMatchObject({ error: "InvalidSignature", message: expect.stringContaining("ERC-1271") });

    const r = await post(await safePayload(operation, [owners[0]!, owners[2]!]));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ operation: "register", owner: safe, nonce: "0", status: "mined", keyId: key.keyId });
    const { publicClient } = clients();
    expect((await publicClient.getTransaction({ hash: r.body.transactionHash as Hex })).from.toLowerCase()).toBe(relayer.toLowerCase());
    expect(await publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "getKey", args: [key.keyId] })).toMatchObject({ owner: safe, state: 1 });
    expect(await publicClient.getBalance({ address: safe })).toBe(0n);
    expect(await safeNonce()).toBe(1n);
  });

  it("answers 429 scope global once every owner together reached the cap", async () => {
    // The Safe's registration used one of the cap's operations; two more owners use the rest.
    const deadline = BigInt((await chainNow()) + 600);
    const signed = () =>
      signRegistryOperation({
        client: clients().publicClient,
        signer: privateKeyToAccount(generatePrivateKey()),
        registry,
        deadline,
        operation: { operation: "setRotator", rotator: devAccounts[3] },
      });
    for (let i = 1; i < globalLimit; i++) expect((await post(await signed())).status).toBe(200);
    const r = await post(await signed());
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ error: "rate-limited", scope: "global" });
  });
});
