import { randomBytes, verify } from "node:crypto";
import { type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainKeyResolver, type ChainKeyResolverUpdate, ChainMismatchError, chainKeyResolver, publicKeyFromRaw } from "../../src/chain/index.ts";
import { bindKeyId, computeKeyId, generateKey, type KeyFile, signBytes, signProofOfPossession } from "../../src/keys/index.ts";
import type { ResolvedKey, ResolveResult } from "../../src/verifier/types.ts";
import { day, deployRegistry, type RegistryFixture } from "./registryFixture.ts";

const onDemand = 3_600_000; // polling interval that never fires during a test: syncs happen on request only

let fx: RegistryFixture;
const resolvers: ChainKeyResolver[] = [];

const rpcs = new Map<ChainKeyResolver, { calls: string[]; down: boolean }>();

/** The JSON-RPC calls a resolver made, and a switch that makes its node unreachable. */
function rpcOf(resolver: ChainKeyResolver) {
  return rpcs.get(resolver)!;
}

function resolverFor(options: Partial<Parameters<typeof chainKeyResolver>[0]> = {}): ChainKeyResolver {
  const { client, rpc } = fx.countedClient();
  const resolver = chainKeyResolver({
    registry: fx.registry.address,
    deploymentBlock: fx.deploymentBlock,
    client,
    pollingIntervalMs: onDemand,
    ...options,
  } as Parameters<typeof chainKeyResolver>[0]);
  resolvers.push(resolver);
  rpcs.set(resolver, rpc);
  return resolver;
}

async function found(resolver: ChainKeyResolver, keyId: Hex): Promise<ResolvedKey> {
  const result = await resolver.resolve(keyId);
  if (result.status !== "found") throw new Error(`expected ${keyId} to be found, got ${JSON.stringify(result)}`);
  return result.key;
}

function nextUpdate(resolver: ChainKeyResolver, keyId: Hex): Promise<ChainKeyResolverUpdate> {
  return new Promise((resolve) => {
    const off = resolver.onUpdate((update) => {
      if (update.keyIds.includes(keyId)) {
        off();
        resolve(update);
      }
    });
  });
}

async function verifies(key: ResolvedKey, file: KeyFile): Promise<boolean> {
  const data = new TextEncoder().encode("GET /v1/prices");
  const sig = await signBytes({ privateKey: file.privateKey!, data });
  return key.alg === "ed25519"
    ? verify(null, data, key.publicKey, sig)
    : verify("sha256", data, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, sig);
}

beforeAll(async () => {
  fx = await deployRegistry();
});

afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await fx?.connection.close();
});

describe("chainKeyResolver on Hardhat's in-process chain", () => {
  it("backfills keys registered before it started, for every algorithm, with a checked proof of possession", async () => {
    const keys = await Promise.all([
      generateKey({ alg: "ed25519", label: "prices-bot" }),
      generateKey({ alg: "ecdsa-p256-sha256", label: "desk" }),
      generateKey({ alg: "ecdsa-secp256k1-sha256", label: "evm" }),
    ]);
    const receipts = [];
    for (const key of keys) receipts.push(await fx.register(key, { scopes: 0b101 }));

    const resolver = resolverFor();
    await resolver.ready();
    for (const [i, file] of keys.entries()) {
      const result = resolver.resolve(file.keyId);
      expect(result).not.toBeInstanceOf(Promise);
      const key = (result as Extract<ResolveResult, { status: "found" }>).key;
      expect(key).toMatchObject({
        keyId: file.keyId,
        alg: file.alg,
        owner: fx.accounts.owner,
        label: file.label,
        version: 1,
        scopes: ["read", "withdraw"],
        state: "active",
        proofOfPossession: "valid",
      });
      expect(key.expiresAt! - key.notBefore!).toBe(90 * day);
      expect(await verifies(key, file)).toBe(true);
      expect(receipts[i]!.status).toBe("success");
    }
    // Key ids in any hex case name the same key.
    expect((await resolver.resolve(keys[0]!.keyId.toUpperCase().replace("0X", "0x") as Hex)).status).toBe("found");
    const status = resolver.status();
    expect(status).toMatchObject({ ready: true, stale: false, keys: 3, reorgs: 0, error: undefined });
    expect(status.blockNumber).toBe(receipts[2]!.blockNumber);
    expect(status.ageSeconds).toBeLessThan(30);
  });

  it("follows new registrations by polling and reports each through onUpdate", async () => {
    const resolver = resolverFor({ pollingIntervalMs: 20 });
    await resolver.ready();
    // Bound to the registering wallet up front: the update names the registry's id.
    const key = bindKeyId({ key: await generateKey({ label: "new" }), owner: fx.accounts.owner });
    const update = nextUpdate(resolver, key.keyId);
    const receipt = await fx.register(key);
    expect((await update).blockNumber).toBe(receipt.blockNumber);
    expect(resolver.status().blockNumber).toBeGreaterThanOrEqual(receipt.blockNumber);
    expect(resolver.resolve(key.keyId)).toMatchObject({ status: "found", key: { label: "new" } });
  });

  it("follows rotations: the label is inherited, versions count up, the old expiry is cut and can be extended, the one before ends", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const [v1, v2, v3] = await Promise.all([
      generateKey({ label: "trading-bot" }),
      generateKey({ alg: "ecdsa-p256-sha256", label: "ignored" }),
      generateKey({ label: "ignored" }),
    ]);
    await fx.register(v1!, { scopes: 0b11 });
    const first = await fx.rotate(v1!, v2!, 3_600, { scopes: 0b01 });
    const cut = Number((await fx.chain.getBlock({ blockNumber: first.blockNumber })).timestamp) + 3_600;
    await resolver.sync();
    expect(await found(resolver, v1!.keyId)).toMatchObject({ version: 1, expiresAt: cut, state: "active" });
    expect(await found(resolver, v2!.keyId)).toMatchObject({ version: 2, label: "trading-bot", alg: "ecdsa-p256-sha256", scopes: ["read"], proofOfPossession: "valid" });

    await fx.send(fx.registry.write.extendOverlap([v1!.keyId, cut + 3_600], { account: fx.accounts.owner }));
    const second = await fx.rotate(v2!, v3!, 0);
    await resolver.sync();
    const secondAt = Number((await fx.chain.getBlock({ blockNumber: second.blockNumber })).timestamp);
    // Registry v2: v1 is two versions behind the head now, so its (extended) overlap ended
    // at this rotation (OverlapEnded): never three valid versions.
    expect((await found(resolver, v1!.keyId)).expiresAt).toBe(secondAt);
    expect((await found(resolver, v2!.keyId)).expiresAt).toBe(secondAt);
    expect(await found(resolver, v3!.keyId)).toMatchObject({ version: 3, label: "trading-bot", owner: fx.accounts.owner });
  });

  it("follows revocation by the owner and the DAO, guardian suspension and DAO unsuspension", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const [a, b] = await Promise.all([generateKey({ label: "a" }), generateKey({ label: "b" })]);
    await fx.register(a!);
    await fx.register(b!);
    const { registry, accounts } = fx;

    await fx.send(registry.write.suspend([a!.keyId, "leak?"], { account: accounts.guardian }));
    await resolver.sync();
    expect((await found(resolver, a!.keyId)).state).toBe("suspended");
    await fx.send(registry.write.unsuspend([a!.keyId], { account: accounts.governance }));
    await resolver.sync();
    expect((await found(resolver, a!.keyId)).state).toBe("active");

    const revoked = nextUpdate(resolver, a!.keyId);
    const receipt = await fx.send(registry.write.revoke([a!.keyId, "rotated out"], { account: accounts.owner }));
    await fx.send(registry.write.governanceRevoke([b!.keyId, "DAO vote"], { account: accounts.governance }));
    await resolver.sync();
    expect((await revoked).blockNumber).toBeGreaterThanOrEqual(Number(receipt.blockNumber));
    expect((await found(resolver, a!.keyId)).state).toBe("revoked");
    expect((await found(resolver, b!.keyId)).state).toBe("revoked");
  });

  it("maps scope bits to the DAO's names; a newly named bit shows up, a named one is never renamed", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const key = await generateKey({ label: "scoped" });
    await fx.register(key, { scopes: 0b1011 });
    await resolver.sync();
    expect((await found(resolver, key.keyId)).scopes).toEqual(["read", "trade", "admin"]);
    const updates: ChainKeyResolverUpdate[] = [];
    const off = resolver.onUpdate((u) => updates.push(u));
    await fx.send(fx.registry.write.setScopeName([5, "audit"], { account: fx.accounts.governance }));
    await resolver.sync();
    off();
    expect(updates.at(-1)).toMatchObject({ scopes: true, policy: false });
    expect((await found(resolver, key.keyId)).scopes).toEqual(["read", "trade", "admin"]);
    // Issue 9: a rename would re-grant bit 1 to every holder; the registry refuses it.
    await expect(fx.registry.write.setScopeName([1, "trading"], { account: fx.accounts.governance })).rejects.toThrow(/ScopeAlreadyNamed/);
  });

  it("judges keys against the current policy from PolicyUpdated (issue 9): narrowed out, widened back", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const wide = { maxLifetime: 365 * day, maxOverlap: 30 * day, maxSuspension: day, maxKeysPerOwner: 65_535, allowedAlgorithms: 0b1110, allowedScopes: 0x0f };
    const setPolicy = (policy: typeof wide) => fx.send(fx.registry.write.setPolicy([policy], { account: fx.accounts.governance }));
    const admin = await generateKey({ label: "admin" });
    const reader = await generateKey({ label: "reader", alg: "ecdsa-p256-sha256" });
    await fx.register(admin, { scopes: 0b1001, lifetime: 30 * day });
    await fx.register(reader, { scopes: 0b0001, lifetime: 200 * day });
    await resolver.sync();
    expect((await found(resolver, admin.keyId)).notAllowed).toBeUndefined();

    const updates: ChainKeyResolverUpdate[] = [];
    const off = resolver.onUpdate((u) => updates.push(u));
    await setPolicy({ ...wide, allowedScopes: 0b0111 });
    await resolver.sync();
    expect(updates.at(-1)).toMatchObject({ policy: true, scopes: false, keyIds: [] });
    expect((await found(resolver, admin.keyId)).notAllowed).toMatch(/scope bits 0x08/);
    expect((await found(resolver, reader.keyId)).notAllowed).toBeUndefined();

    await setPolicy({ ...wide, allowedAlgorithms: 0b0010 });
    await resolver.sync();
    expect((await found(resolver, admin.keyId)).notAllowed).toBeUndefined();
    expect((await found(resolver, reader.keyId)).notAllowed).toMatch(/algorithm 2/);

    await setPolicy({ ...wide, maxLifetime: 100 * day, maxOverlap: day });
    await resolver.sync();
    expect((await found(resolver, reader.keyId)).notAllowed).toMatch(/lifetime \d+ s exceeds the policy's maximum 8640000 s/);
    expect((await found(resolver, admin.keyId)).notAllowed).toBeUndefined();

    await setPolicy(wide);
    await resolver.sync();
    off();
    expect((await found(resolver, reader.keyId)).notAllowed).toBeUndefined();
    expect((await found(resolver, admin.keyId)).notAllowed).toBeUndefined();
  });

  it("answers hits without RPC calls, a miss with one shared sync, and caches unknown ids until the next block", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const known = await generateKey({ label: "known" });
    await fx.register(known);
    await resolver.sync();

    rpcOf(resolver).calls.length = 0;
    for (let i = 0; i < 1_000; i++) expect(resolver.resolve(known.keyId)).toMatchObject({ status: "found" });
    expect(rpcOf(resolver).calls).toEqual([]);

    // Registered a moment ago, after the index's last sync: one catch-up read finds it.
    const fresh = await generateKey({ label: "fresh" });
    await fx.register(fresh);
    const pending = resolver.resolve(fresh.keyId);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ status: "found", key: { label: "fresh" } });
    // The head, the new block's logs, and the head again: logs only count once the range
    // still ends in the hash read before them (no other chain or reorg in between).
    expect(rpcOf(resolver).calls).toEqual(["eth_getBlockByNumber", "eth_getLogs", "eth_getBlockByNumber"]);
    rpcOf(resolver).calls.length = 0;
    expect(resolver.resolve(fresh.keyId)).toMatchObject({ status: "found" });
    expect(rpcOf(resolver).calls).toEqual([]);

    // A flood of ids nobody registered: concurrent misses share one read, repeats cost nothing.
    const randomIds = Array.from({ length: 200 }, () => toHex(randomBytes(32)));
    const results = await Promise.all(randomIds.map((id) => resolver.resolve(id)));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(["unknown"]));
    expect(rpcOf(resolver).calls).toEqual(["eth_getBlockByNumber"]);
    rpcOf(resolver).calls.length = 0;
    for (const id of randomIds) expect(resolver.resolve(id)).toEqual({ status: "unknown" });
    expect(resolver.resolve("0x1234")).toEqual({ status: "unknown" });
    expect(resolver.resolve("not hex" as Hex)).toEqual({ status: "unknown" });
    expect(rpcOf(resolver).calls).toEqual([]);
  });

  it("marks a proof of possession that the key did not make for this owner as invalid", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    // A thief front-runs the victim's registration: same Ed25519 public key (the registry cannot
    // check Ed25519 proofs; ECDSA ones it refuses on chain), the victim's proof, the thief as owner.
    const victim = await generateKey({ label: "victim" });
    const victimProof = await signProofOfPossession({ key: victim, chainId: 31337, registry: fx.registry.address, owner: fx.accounts.owner });
    await fx.register(victim, { from: fx.accounts.thief, proof: victimProof, label: "stolen" });
    // Ids are namespaced per owner: the copy sits under the thief's address, never the victim's id.
    expect(victim.keyId.slice(0, 42)).toBe(fx.accounts.thief.toLowerCase());
    const victimId = computeKeyId({ publicKey: victim.publicKey, owner: fx.accounts.owner });
    expect(victimId).not.toBe(victim.keyId);
    // Another key registered with 64 bytes of noise as its proof.
    const noisy = await generateKey({ label: "noise" });
    await fx.register(noisy, { proof: toHex(randomBytes(64)) });
    await resolver.sync();
    expect(await found(resolver, victim.keyId)).toMatchObject({ owner: fx.accounts.thief, proofOfPossession: "invalid" });
    expect(await found(resolver, noisy.keyId)).toMatchObject({ proofOfPossession: "invalid" });
    // The victim still registers its own key, under its own id, with a valid proof.
    const own = { ...victim, keyId: victimId };
    await fx.register(own);
    await resolver.sync();
    expect(await found(resolver, victimId)).toMatchObject({ owner: fx.accounts.owner, proofOfPossession: "valid" });
  });

  it("treats registered bytes that are not a point on the curve as an unknown key", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    // ECDSA points are checked on chain (with the proof); Ed25519 bytes only for small order
    // and canonical form, so 32 bytes that decode to no point can still be registered.
    let raw: Buffer;
    do raw = randomBytes(32);
    while (publicKeyFromRaw({ alg: "ed25519", raw }) !== undefined);
    const key = await generateKey({ label: "bogus" });
    await fx.register(key, { publicKey: toHex(raw), proof: toHex(new Uint8Array(64)) });
    await resolver.sync();
    expect(await resolver.resolve(computeKeyId({ publicKey: raw, owner: fx.accounts.owner }))).toEqual({ status: "unknown" });
  });

  it("rolls back a reorg exactly: a removed registration becomes unknown, a removed revocation is undone", async () => {
    const resolver = resolverFor();
    await resolver.ready();
    const [before, during] = await Promise.all([generateKey({ label: "before" }), generateKey({ label: "during" })]);
    await fx.register(before!);
    const snapshot = await fx.networkHelpers.takeSnapshot();
    await fx.register(during!);
    await fx.send(fx.registry.write.revoke([before!.keyId, "oops"], { account: fx.accounts.owner }));
    await resolver.sync();
    expect((await found(resolver, during!.keyId)).state).toBe("active");
    expect((await found(resolver, before!.keyId)).state).toBe("revoked");

    const rolledBack = new Promise<ChainKeyResolverUpdate>((resolve) => resolver.onUpdate((u) => u.rolledBackTo !== undefined && resolve(u)));
    await snapshot.restore();
    await fx.networkHelpers.mine(3);
    await resolver.sync();
    expect(await resolver.resolve(during!.keyId)).toEqual({ status: "unknown" });
    expect((await found(resolver, before!.keyId)).state).toBe("active");
    const update = await rolledBack;
    expect(update.rolledBackTo).toBe(Number(await fx.chain.getBlockNumber()) - 3);
    expect(update.keyIds).toEqual(expect.arrayContaining([during!.keyId, before!.keyId]));
    expect(resolver.status()).toMatchObject({ reorgs: 1, blockNumber: Number(await fx.chain.getBlockNumber()) });

    // A reorg to a shorter chain (no new block yet) is noticed too.
    const again = await fx.networkHelpers.takeSnapshot();
    const short = await generateKey({ label: "short-lived" });
    await fx.register(short);
    await resolver.sync();
    expect((await found(resolver, short.keyId)).label).toBe("short-lived");
    await again.restore();
    await resolver.sync();
    expect(await resolver.resolve(short.keyId)).toEqual({ status: "unknown" });
    expect(resolver.status().reorgs).toBe(2);
  });

  it("rebuilds from the deployment block after a reorg deeper than reorgDepth, answering stale meanwhile", async () => {
    const resolver = resolverFor({ reorgDepth: 2 });
    await resolver.ready();
    const keysBefore = resolver.status().keys;
    const snapshot = await fx.networkHelpers.takeSnapshot();
    const doomed = await generateKey({ label: "doomed" });
    await fx.register(doomed);
    await fx.networkHelpers.mine(5);
    await resolver.sync();
    expect(resolver.status().keys).toBe(keysBefore + 1);
    const rebuilt = new Promise<ChainKeyResolverUpdate>((resolve) => resolver.onUpdate((u) => u.rolledBackTo !== undefined && resolve(u)));
    await snapshot.restore();
    await fx.networkHelpers.mine(8);
    await resolver.sync();
    expect((await rebuilt).rolledBackTo).toBe(fx.deploymentBlock - 1);
    expect(await resolver.resolve(doomed.keyId)).toEqual({ status: "unknown" });
    expect(resolver.status()).toMatchObject({ keys: keysBefore, stale: false, reorgs: 1 });
  });

  it("indexes a block only once it has the requested confirmations", async () => {
    const resolver = resolverFor({ confirmations: 2 });
    await resolver.ready();
    const key = await generateKey({ label: "patient" });
    const receipt = await fx.register(key);
    expect(await resolver.resolve(key.keyId)).toEqual({ status: "unknown" });
    expect(resolver.status().blockNumber).toBe(receipt.blockNumber - 2);
    await fx.networkHelpers.mine(2);
    await resolver.sync();
    expect((await found(resolver, key.keyId)).label).toBe("patient");
  });

  it("fails closed once the node has been unreachable for maxStalenessSeconds, and recovers by itself", async () => {
    let clock = Date.now();
    const resolver = resolverFor({ pollingIntervalMs: 20, maxStalenessSeconds: 30, now: () => clock });
    await resolver.ready();
    const [live, dead] = await Promise.all([generateKey({ label: "live" }), generateKey({ label: "dead" })]);
    await fx.register(live!);
    await fx.register(dead!);
    await fx.send(fx.registry.write.revoke([dead!.keyId, "gone"], { account: fx.accounts.owner }));
    await resolver.sync();

    rpcOf(resolver).down = true;
    try {
      await expect(resolver.sync()).rejects.toThrow(/ECONNREFUSED/);
      clock += 29_000;
      expect(resolver.resolve(live!.keyId)).toMatchObject({ status: "found" });
      clock += 2_000;
      for (const id of [live!.keyId, dead!.keyId, toHex(randomBytes(32))]) {
        const result = await resolver.resolve(id);
        expect(result.status).toBe("stale");
        expect((result as { message: string }).message).toMatch(/last synced 3\d s ago \(limit 30 s\)/);
      }
      expect(resolver.status()).toMatchObject({ stale: true, ready: true });
      expect(resolver.status().ageSeconds).toBeGreaterThan(30);
      expect(resolver.status().error).toMatch(/RPC error/);
    } finally {
      rpcOf(resolver).down = false;
    }
    await resolver.sync();
    expect(resolver.resolve(live!.keyId)).toMatchObject({ status: "found", key: { state: "active" } });
    expect(resolver.resolve(dead!.keyId)).toMatchObject({ status: "found", key: { state: "revoked" } });
    expect(resolver.status()).toMatchObject({ stale: false, error: undefined });
  });

  it("answers stale until its first backfill, and for good on a chain that is not the registry's", async () => {
    const waiting = resolverFor();
    // Its first sync is due on the next tick: the node is already unreachable then.
    rpcOf(waiting).down = true;
    expect(waiting.resolve(toHex(randomBytes(32)))).toMatchObject({ status: "stale", message: expect.stringMatching(/still loading/) });
    await expect(waiting.sync()).rejects.toThrow(/ECONNREFUSED/);
    rpcOf(waiting).down = false;
    await waiting.sync();
    await waiting.ready();

    const restarted = resolverFor({ deploymentBlockHash: `0x${"11".repeat(32)}` });
    await expect(restarted.ready()).rejects.toThrow(ChainMismatchError);
    expect(restarted.resolve(toHex(randomBytes(32)))).toMatchObject({ status: "stale", message: expect.stringMatching(/not the registry's deployment block/) });
    await expect(restarted.sync()).rejects.toThrow(ChainMismatchError);

    const otherChain = resolverFor({ chainId: 1 });
    await expect(otherChain.ready()).rejects.toThrow(/configured for chain 1, but the node serves chain 31337/);
  });

  it("stops calling the node once closed and answers stale", async () => {
    const resolver = resolverFor({ pollingIntervalMs: 5 });
    await resolver.ready();
    await resolver.close();
    rpcOf(resolver).calls.length = 0;
    await new Promise((r) => setTimeout(r, 50));
    expect(rpcOf(resolver).calls).toEqual([]);
    expect(resolver.resolve(toHex(randomBytes(32)))).toMatchObject({ status: "stale", message: expect.stringMatching(/closed/) });
  });

  it("rejects misconfiguration with a typed error", () => {
    expect(() => resolverFor({ pollingIntervalMs: 0, chunkSize: 0, registry: "0x1" as Hex })).toThrow(
      /Invalid chainKeyResolver options[\s\S]*registry must be an address[\s\S]*pollingIntervalMs[\s\S]*chunkSize/,
    );
  });
});
