// "Sign, let the API pay" against the real stack: a Hardhat node with the contracts, the
// reference API relaying from dev account 10 (as `npm start` runs it), reached through a
// stand-in for the dApp server's /api proxy. The owners sign as the page's dev-account
// connector makes them: eth_signTypedData_v4 on the node (its accounts are unlocked).
import { type Address, type Hex, isAddressEqual } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { computeKeyId, generateKey } from "../../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../../src/server/index.ts";
import { localClients } from "../../../test/helpers/clients.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../../../test/helpers/localNode.ts";
import { initialNewKey, toChainKey } from "../components/newKey.ts";
import { describeError } from "../lib/describeError.ts";
import { registryOperationFromCall, relayDeadlineSeconds, relaySigned } from "./relaySigned.ts";

let node: LocalNode;
let api: StartApiServerReturnType;
const page = "http://dapp.test/api";
const relayer = devAccounts[10];
const posted: { path: string; body: Record<string, unknown> }[] = [];

// The dApp server's proxy: /api/<path> goes to the API as <path>.
const proxy: typeof fetch = async (input, init) => {
  const url = String(input);
  if (!url.startsWith(page)) throw new TypeError("fetch failed");
  const target = new URL(`${api.url}${url.slice(page.length)}`);
  posted.push({ path: target.pathname, body: JSON.parse(String(init?.body)) as Record<string, unknown> });
  return fetch(target, init);
};

beforeAll(async () => {
  node = await startLocalNode();
  api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, relay: { account: relayer, ownerRateLimit: { limit: 2, windowSeconds: 60 } } });
});

afterAll(async () => {
  await api?.close();
  await node?.stop();
});

const registry = () => node.manifest.contracts.KeyRegistry.address;
const clients = () => localClients(node.rpcUrl);

async function registerCall(owner: Address, label: string) {
  const key = await generateKey({ label });
  const head = await clients().publicClient.getBlock();
  const chainKey = await toChainKey({
    value: { ...initialNewKey, key, saved: true },
    chainId: 31337,
    registry: registry(),
    owner,
    scopes: 1,
    notBefore: Number(head.timestamp),
    expiresAt: Number(head.timestamp) + 86_400,
  });
  return { key, call: { functionName: "register", args: [chainKey, label] } as const };
}

/** What useTransaction does for "Sign, let the API pay", with `signer` signing on the node. */
function relay(owner: Address, call: { functionName: string; args: readonly unknown[] }, signer: Address = owner, afterSigning?: () => Promise<void>) {
  const operation = registryOperationFromCall(call);
  if (!operation) throw new Error(`no signed form of ${call.functionName}`);
  return relaySigned({
    client: clients().publicClient,
    chainId: 31337,
    registry: registry(),
    owner,
    operation,
    sign: async (typedData) => {
      const signature = await clients().walletClient.signTypedData({ account: signer, ...(typedData as object) } as never);
      await afterSigning?.();
      return signature;
    },
    relayUrl: `${page}/v1/relay`,
    fetch: proxy,
  });
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => expect.unreachable("the relayer accepted it"),
    (e: unknown) => e,
  );
  return describeError({ error });
};

describe("relaySigned (Sign, let the API pay)", () => {
  it("registers a key for the signer; the relayer's account sends and pays", async () => {
    const owner = devAccounts[1];
    const { key, call } = await registerCall(owner, "gasless bot");
    const nonce = await clients().publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "nonces", args: [owner] });
    const head = await clients().publicClient.getBlock();
    posted.length = 0;
    const answer = await relay(owner, call);
    const keyId = computeKeyId({ publicKey: key.publicKey, owner });
    expect(answer).toMatchObject({ operation: "register", owner, status: "mined", keyId });
    // The payload: the operation, its chain, registry, nonce and a deadline 10 minutes of chain time ahead.
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ path: "/v1/relay", body: { operation: "register", label: "gasless bot", owner, chainId: 31337, registry: registry(), nonce: nonce.toString() } });
    expect(BigInt(posted[0]!.body.deadline as string) - head.timestamp).toBeGreaterThanOrEqual(BigInt(relayDeadlineSeconds));
    expect(BigInt(posted[0]!.body.deadline as string) - head.timestamp).toBeLessThanOrEqual(BigInt(relayDeadlineSeconds + 5));
    const receipt = await clients().publicClient.getTransactionReceipt({ hash: answer.transactionHash });
    expect(isAddressEqual(receipt.from, relayer)).toBe(true);
    const record = await clients().publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "getKey", args: [keyId] });
    expect(record).toMatchObject({ owner, state: 1 });

    // The same key again: the relayer's simulation hits the registry's error, decoded as a wallet's would be.
    const again = await refusal(relay(owner, call));
    expect(again).toMatchObject({ code: "KeyAlreadyRegistered", title: `Key ${keyId.slice(0, 6)}…${keyId.slice(-4)} is already registered.` });
    expect(again.detail).toContain("nothing was sent");
  });

  it("a signature made for another account is refused as InvalidSignature", async () => {
    const { call } = await registerCall(devAccounts[2], "forged");
    expect(await refusal(relay(devAccounts[2], call, devAccounts[3]))).toMatchObject({ code: "InvalidSignature", title: "The signature is not 0x3C44…93BC's over this operation." });
  });

  it("a signature past its deadline is refused as SignatureExpired, with both times", async () => {
    const { call } = await registerCall(devAccounts[4], "late");
    const described = await refusal(relay(devAccounts[4], call, devAccounts[4], () => increaseTime(node.rpcUrl, relayDeadlineSeconds + 60)));
    expect(described.code).toBe("SignatureExpired");
    expect(described.title).toMatch(/^The signed operation's deadline .* has passed \(chain time .*\)\.$/);
  });

  it("over the per-owner limit: rate-limited, with the time to wait", async () => {
    const owner = devAccounts[5];
    for (const label of ["one", "two"]) await relay(owner, (await registerCall(owner, label)).call);
    const described = await refusal(relay(owner, (await registerCall(owner, "three")).call));
    expect(described.code).toBe("rate-limited");
    expect(described.title).toBe("The API's relayer has taken as many operations from this account as it allows for now.");
    expect(described.detail).toMatch(/^Try again in \d+ s, or send it from your wallet\. Nothing was sent\.$/);
  });

  it("revokes and rotates through the relayer; a batch has no signed form", async () => {
    const owner = devAccounts[6];
    const first = await registerCall(owner, "rotating");
    const registered = await relay(owner, first.call);
    const next = await registerCall(owner, "rotating");
    const rotated = await relay(owner, { functionName: "rotate", args: [registered.keyId as Hex, next.call.args[0], 3600] });
    expect(rotated).toMatchObject({ operation: "rotate", status: "mined", keyId: computeKeyId({ publicKey: next.key.publicKey, owner }) });
    // (Two operations per minute for this owner: the third waits for the next test's owner.)
    const revoker = devAccounts[7];
    const target = await relay(revoker, (await registerCall(revoker, "to revoke")).call);
    const revoked = await relay(revoker, { functionName: "revoke", args: [target.keyId, "retired"] });
    expect(revoked).toMatchObject({ operation: "revoke", status: "mined" });
    const record = await clients().publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "getKey", args: [target.keyId as Hex] });
    expect(record.state).toBe(3);
    expect(registryOperationFromCall({ functionName: "revokeBatch", args: [[target.keyId], "x"] })).toBeNull();
  });

  it("extends a rotated-out version's overlap and sets (then removes) a rotator through the relayer", async () => {
    const owner = devAccounts[11];
    const { publicClient, walletClient } = clients();
    // Registered and rotated from the wallet (one hour of overlap), so the relayed operation is the extension alone.
    const first = await registerCall(owner, "extend me");
    const send = async (functionName: "register" | "rotate", args: readonly unknown[]) => {
      const hash = await walletClient.writeContract({ account: owner, address: registry(), abi: keyRegistryAbi, functionName, args } as never);
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    };
    await send("register", first.call.args);
    const v1 = computeKeyId({ publicKey: first.key.publicKey, owner });
    const next = await registerCall(owner, "extend me");
    await send("rotate", [v1, next.call.args[0], 3_600]);
    const cut = (await publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "getKey", args: [v1] })).expiresAt;
    const extended = await relay(owner, { functionName: "extendOverlap", args: [v1, cut + 3_600] });
    expect(extended).toMatchObject({ operation: "extendOverlap", owner, status: "mined" });
    expect(isAddressEqual((await publicClient.getTransactionReceipt({ hash: extended.transactionHash })).from, relayer)).toBe(true);
    expect((await publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "getKey", args: [v1] })).expiresAt).toBe(cut + 3_600);

    const setter = devAccounts[12];
    const bot = devAccounts[13];
    const rotatorOf = () => publicClient.readContract({ address: registry(), abi: keyRegistryAbi, functionName: "rotatorOf", args: [setter] });
    expect(await relay(setter, { functionName: "setRotator", args: [bot] })).toMatchObject({ operation: "setRotator", owner: setter, status: "mined" });
    expect(isAddressEqual(await rotatorOf(), bot)).toBe(true);
    await relay(setter, { functionName: "setRotator", args: ["0x0000000000000000000000000000000000000000"] });
    expect(BigInt(await rotatorOf())).toBe(0n);
  });

  it("an API that does not relay answers relay-disabled, in words", async () => {
    const plain = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0 });
    try {
      const { call } = await registerCall(devAccounts[8], "nowhere");
      const operation = registryOperationFromCall(call)!;
      const attempt = relaySigned({
        client: clients().publicClient,
        chainId: 31337,
        registry: registry(),
        owner: devAccounts[8],
        operation,
        sign: (typedData) => clients().walletClient.signTypedData({ account: devAccounts[8], ...(typedData as object) } as never),
        relayUrl: `${plain.url}/v1/relay`,
      });
      expect(await refusal(attempt)).toMatchObject({ code: "relay-disabled", title: "The API does not relay signed operations (any more)." });
    } finally {
      await plain.close();
    }
  });
});
