// The index's policy global (issue 9): applied from PolicyUpdated through the shared
// reducer, undone by a reorg, exported to and imported from a checkpoint state.
import { type Hex, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createRegistryIndex, type RegistryLog } from "../../src/chain/registryIndex.ts";
import { algorithmToChain, generateKey, publicKeyToRaw } from "../../src/keys/index.ts";

const registry = "0x5FbDB2315678afecb367f032d7279aCd0AA3E4aB";
const owner = "0x1111111111111111111111111111111111111111";
const wide = { maxLifetime: 1_000, maxOverlap: 10, maxSuspension: 100, maxKeysPerOwner: 50, allowedAlgorithms: 0b1110, allowedScopes: 0x0f };

function log(blockNumber: number, logIndex: number, eventName: string, args: Record<string, unknown>): RegistryLog {
  return { blockNumber: BigInt(blockNumber), logIndex, removed: false, eventName, args } as unknown as RegistryLog;
}

describe("registry index: the policy global", () => {
  it("judges keys against the latest PolicyUpdated, rolls it back with a reorg, and carries it in exportState", async () => {
    const key = await generateKey({ label: "k" });
    const keyId = key.keyId.toLowerCase() as Hex;
    const index = createRegistryIndex({ chainId: 31337, registry });
    const registered = { keyId, owner, algorithm: algorithmToChain(key.alg), scopes: 0b1001, notBefore: 0, expiresAt: 900, label: "k", publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw), proof: `0x${"00".repeat(64)}` };
    const first = index.apply([log(1, 0, "PolicyUpdated", wide), log(1, 1, "KeyRegistered", registered)]);
    expect(first).toMatchObject({ policy: true });
    const notAllowed = () => {
      const r = index.get(keyId);
      if (r?.status !== "found") throw new Error("not found");
      return r.key.notAllowed;
    };
    expect(notAllowed()).toBeUndefined();

    expect(index.apply([log(2, 0, "PolicyUpdated", { ...wide, allowedScopes: 0b0111 })])).toEqual({ keyIds: [], scopes: false, policy: true });
    expect(notAllowed()).toMatch(/scope bits 0x08/);
    index.apply([log(3, 0, "PolicyUpdated", { ...wide, maxLifetime: 899, maxOverlap: 1 })]);
    expect(notAllowed()).toMatch(/lifetime 900 s/);

    const exported = index.exportState();
    expect(exported.policy).toEqual({ ...wide, maxLifetime: 899, maxOverlap: 1 });
    const restored = createRegistryIndex({ chainId: 31337, registry, state: exported });
    expect((restored.get(keyId) as { key: { notAllowed?: string } }).key.notAllowed).toMatch(/lifetime 900 s/);
    expect(() => createRegistryIndex({ chainId: 31337, registry, state: { ...exported, policy: { ...wide, allowedScopes: 256 } } })).toThrow(/invalid policy/);

    // A reorg undoes the narrowing block by block.
    expect(index.rollback(2)).toMatchObject({ policy: true });
    expect(notAllowed()).toMatch(/scope bits 0x08/);
    index.rollback(1);
    expect(notAllowed()).toBeUndefined();
  });
});
