// The per-owner rotator, through the public contract interface: appointed by the
// owner (setRotator), it may rotate (same or narrower scopes, within policy) and
// revoke all of that owner's keys, and nothing else.
import { network } from "hardhat";
import { getAddress, type Hex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { registerForTypedData, setRotatorForTypedData } from "../../src/chain/signedOperations/index.ts";
import { signProofOfPossession } from "../../src/keys/index.ts";
import {
  DAY,
  expectEvents,
  HOUR,
  KeyState,
  makeNewKey,
  nextTimestamp,
  Reason,
  registerKey,
  type RegistryFixture,
  registryFixture,
  Scope,
  type WalletClient,
} from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;
const address = (wallet: WalletClient) => getAddress(wallet.account.address);
const FAR = 2n ** 40n;

/** The shared fixture with bob appointed as alice's rotator. */
async function withRotator(): Promise<RegistryFixture> {
  const f = await networkHelpers.loadFixture(registryFixture);
  await f.as(f.alice).write.setRotator([f.bob.account.address]);
  return f;
}

describe("KeyRegistry rotator: appointment", () => {
  it("the owner appoints, replaces and removes its rotator (RotatorUpdated), in its own slot", async () => {
    const f = await networkHelpers.loadFixture(registryFixture);
    const { keyId } = await registerKey(f);
    const set = await f.as(f.alice).write.setRotator([f.bob.account.address]);
    await expectEvents(f.publicClient, f.registry, set, [{ eventName: "RotatorUpdated", args: { owner: address(f.alice), rotator: address(f.bob) } }]);
    expect(await f.registry.read.rotatorOf([f.alice.account.address])).toBe(address(f.bob));
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toEqual({ unreleasedLineages: 1, revoked: false, rotator: address(f.bob), nonce: 0 });
    // Appointing writes only the owner's record: the key is untouched.
    expect(await f.registry.read.getKey([keyId])).toMatchObject({ state: KeyState.Active, version: 1 });

    await f.as(f.alice).write.setRotator([f.stranger.account.address]);
    expect(await f.registry.read.rotatorOf([f.alice.account.address])).toBe(address(f.stranger));
    const removed = await f.as(f.alice).write.setRotator([zeroAddress]);
    await expectEvents(f.publicClient, f.registry, removed, [{ eventName: "RotatorUpdated", args: { owner: address(f.alice), rotator: zeroAddress } }]);
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("a revoked owner cannot appoint a rotator", async () => {
    const f = await networkHelpers.loadFixture(registryFixture);
    await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "sanctioned"]);
    await expectRevert(f.as(f.alice).write.setRotator([f.bob.account.address]), f.registry, "OwnerIsRevoked", [f.alice.account.address]);
  });
});

describe("KeyRegistry rotator: what it may do", () => {
  it("rotates the owner's key with the same scopes: the new key is the owner's, the event names the rotator as `by`", async () => {
    const f = await withRotator();
    const old = await registerKey(f, { scopes: Scope.read | Scope.trade });
    // The proof is the new key's, signed for ALICE (the owner), though bob sends it.
    const next = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256", scopes: Scope.read | Scope.trade });
    const t = await nextTimestamp(f);
    const hash = await f.as(f.bob).write.rotate([old.keyId, next.args, HOUR]);
    await expectEvents(f.publicClient, f.registry, hash, [
      {
        eventName: "KeyRotated",
        args: {
          oldKeyId: old.keyId,
          newKeyId: next.key.keyId,
          owner: address(f.alice),
          by: address(f.bob),
          version: 2,
          ...next.args,
          oldExpiresAt: t + HOUR,
        },
      },
    ]);
    expect(next.key.keyId.slice(0, 42)).toBe(f.alice.account.address.toLowerCase());
    expect(await f.registry.read.getKey([next.key.keyId])).toMatchObject({ owner: address(f.alice), state: KeyState.Active, version: 2 });
    expect(await f.registry.read.keyStatus([next.key.keyId, Scope.trade])).toEqual([true, Reason.Valid]);
    // The owner still owns and controls both keys.
    await f.as(f.alice).write.extendOverlap([old.keyId, t + 2 * HOUR]);
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toMatchObject({ unreleasedLineages: 1 });
  });

  it("rotates to narrower scopes, but never wider (ScopesWidened), and within policy", async () => {
    const f = await withRotator();
    const old = await registerKey(f, { scopes: Scope.read | Scope.trade });
    for (const scopes of [Scope.read | Scope.trade | Scope.withdraw, Scope.admin, Scope.read | Scope.admin]) {
      const wider = await makeNewKey(f, { owner: f.alice, scopes });
      await expectRevert(f.as(f.bob).write.rotate([old.keyId, wider.args, HOUR]), f.registry, "ScopesWidened", [Scope.read | Scope.trade, scopes]);
    }
    // Policy still binds it (here: the overlap).
    const ok = await makeNewKey(f, { owner: f.alice, scopes: Scope.read });
    await expectRevert(f.as(f.bob).write.rotate([old.keyId, ok.args, 8 * DAY]), f.registry, "OverlapTooLong", [BigInt(8 * DAY), BigInt(7 * DAY)]);
    await f.as(f.bob).write.rotate([old.keyId, ok.args, HOUR]);
    expect(await f.registry.read.getKey([ok.key.keyId])).toMatchObject({ scopes: Scope.read, version: 2 });
    // The owner itself may widen again.
    const widened = await makeNewKey(f, { owner: f.alice, scopes: Scope.read | Scope.withdraw });
    await f.as(f.alice).write.rotate([ok.key.keyId, widened.args, HOUR]);
    expect((await f.registry.read.getKey([widened.key.keyId])).scopes).toBe(Scope.read | Scope.withdraw);
  });

  it("a new key whose proof is signed for the rotator (not the owner) is refused with InvalidProof", async () => {
    const f = await withRotator();
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-secp256k1-sha256" });
    const forBob = await signProofOfPossession({ key: next.key, chainId: f.chainId, registry: f.registry.address, owner: f.bob.account.address });
    await expectRevert(f.as(f.bob).write.rotate([old.keyId, { ...next.args, proof: forBob }, HOUR]), f.registry, "InvalidProof", [next.key.keyId]);
  });

  it("revokes and batch-revokes the owner's keys; KeyRevoked names the rotator", async () => {
    const f = await withRotator();
    const a = await registerKey(f);
    const b = await registerKey(f);
    const c = await registerKey(f);
    const one = await f.as(f.bob).write.revoke([a.keyId, "leaked"]);
    await expectEvents(f.publicClient, f.registry, one, [{ eventName: "KeyRevoked", args: { keyId: a.keyId, by: address(f.bob), reason: "leaked" } }]);
    const batch = await f.as(f.bob).write.revokeBatch([[b.keyId, c.keyId, a.keyId], "incident"]);
    await expectEvents(f.publicClient, f.registry, batch, [
      { eventName: "KeyRevoked", args: { keyId: b.keyId, by: address(f.bob), reason: "incident" } },
      { eventName: "KeyRevoked", args: { keyId: c.keyId, by: address(f.bob), reason: "incident" } },
      { eventName: "KeySkipped", args: { keyId: a.keyId, state: KeyState.Revoked } },
    ]);
    // Revoked heads count until released (lazy release).
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toMatchObject({ unreleasedLineages: 3, rotator: address(f.bob) });
  });

  it("serves several owners: one batch may revoke keys of every owner that appointed it", async () => {
    const f = await withRotator();
    await f.as(f.stranger).write.setRotator([f.bob.account.address]);
    const a = await registerKey(f);
    const s = await registerKey(f, { owner: f.stranger });
    await f.as(f.bob).write.revokeBatch([[a.keyId, s.keyId], "incident"]);
    expect((await f.registry.read.getKey([a.keyId])).state).toBe(KeyState.Revoked);
    expect((await f.registry.read.getKey([s.keyId])).state).toBe(KeyState.Revoked);
  });
});

describe("KeyRegistry rotator: what it may not do", () => {
  it("cannot register for the owner: register is always the sender's, and a signed register needs the owner's signature", async () => {
    const f = await withRotator();
    const k = await makeNewKey(f, { owner: f.alice });
    // bob's own register lands under bob's id, whose proof (for alice) does not match for an ECDSA key.
    const ecdsa = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256" });
    const bobId = await f.registry.read.computeKeyId([f.bob.account.address, ecdsa.args.publicKey]);
    await expectRevert(f.as(f.bob).write.register([ecdsa.args, "bot"]), f.registry, "InvalidProof", [bobId]);
    // registerFor signed by the rotator, for alice.
    const bySigned = await f.bob.signTypedData(
      registerForTypedData({ chainId: f.chainId, registry: f.registry.address, owner: f.alice.account.address, nonce: 0n, deadline: FAR, key: k.args, label: "bot" }),
    );
    await expectRevert(f.as(f.bob).write.registerFor([f.alice.account.address, k.args, "bot", FAR, bySigned]), f.registry, "InvalidSignature", [
      f.alice.account.address,
    ]);
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toMatchObject({ unreleasedLineages: 0 });
  });

  it("cannot extend an overlap (NotKeyOwner)", async () => {
    const f = await withRotator();
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    await f.as(f.bob).write.rotate([old.keyId, next.args, HOUR]);
    await expectRevert(f.as(f.bob).write.extendOverlap([old.keyId, t + 2 * HOUR]), f.registry, "NotKeyOwner", [
      old.keyId,
      f.bob.account.address,
      f.alice.account.address,
    ]);
  });

  it("cannot set the owner's rotator: setRotator only sets its own, setRotatorFor needs the owner's signature", async () => {
    const f = await withRotator();
    await f.as(f.bob).write.setRotator([f.mallory.account.address]);
    expect(await f.registry.read.rotatorOf([f.alice.account.address])).toBe(address(f.bob));
    expect(await f.registry.read.rotatorOf([f.bob.account.address])).toBe(address(f.mallory));
    const sig = await f.bob.signTypedData(
      setRotatorForTypedData({ chainId: f.chainId, registry: f.registry.address, owner: f.alice.account.address, nonce: 0n, deadline: FAR, rotator: f.mallory.account.address }),
    );
    await expectRevert(f.as(f.bob).write.setRotatorFor([f.alice.account.address, f.mallory.account.address, FAR, sig]), f.registry, "InvalidSignature", [
      f.alice.account.address,
    ]);
    // Rotators do not chain: bob's rotator (mallory) has no power over alice's keys.
    const { keyId } = await registerKey(f);
    await expectRevert(f.as(f.mallory).write.revoke([keyId, "x"]), f.registry, "NotKeyOwner", [keyId, f.mallory.account.address, f.alice.account.address]);
  });

  it("cannot touch another owner's keys (NotKeyOwner), not even inside a batch with the owner's", async () => {
    const f = await withRotator();
    const mine = await registerKey(f);
    const other = await registerKey(f, { owner: f.stranger });
    const next = await makeNewKey(f, { owner: f.stranger });
    const notOwner: [Hex, Hex, Hex] = [other.keyId, f.bob.account.address, f.stranger.account.address];
    await expectRevert(f.as(f.bob).write.rotate([other.keyId, next.args, HOUR]), f.registry, "NotKeyOwner", notOwner);
    await expectRevert(f.as(f.bob).write.revoke([other.keyId, "x"]), f.registry, "NotKeyOwner", notOwner);
    await expectRevert(f.as(f.bob).write.revokeBatch([[mine.keyId, other.keyId], "x"]), f.registry, "NotKeyOwner", notOwner);
    expect((await f.registry.read.getKey([mine.keyId])).state).toBe(KeyState.Active);
  });

  it("cannot rotate a key a guardian suspended (the owner can: its escape hatch alone)", async () => {
    const f = await withRotator();
    const old = await registerKey(f);
    await f.as(f.guardian).write.suspend([old.keyId, "suspicious"]);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.bob).write.rotate([old.keyId, next.args, HOUR]), f.registry, "InvalidKeyState", [old.keyId, KeyState.Suspended]);
    await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    expect((await f.registry.read.getKey([next.key.keyId])).state).toBe(KeyState.Active);
    // Revoking a suspended key is still the rotator's to do (it only ever removes trust).
    await f.as(f.bob).write.revoke([old.keyId, "confirmed"]);
    expect((await f.registry.read.getKey([old.keyId])).state).toBe(KeyState.Revoked);
  });

  it("cannot rotate for a revoked owner; revoking its keys changes nothing a reader sees", async () => {
    const f = await withRotator();
    const { keyId } = await registerKey(f);
    await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "sanctioned"]);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.bob).write.rotate([keyId, next.args, HOUR]), f.registry, "OwnerIsRevoked", [f.alice.account.address]);
    // revoke does not read the owner's slot (gas): the key was revoked with its owner and stays so.
    await f.as(f.bob).write.revoke([keyId, "x"]);
    expect((await f.registry.read.getKey([keyId])).state).toBe(KeyState.Revoked);
    await expectRevert(f.as(f.bob).write.revoke([keyId, "x"]), f.registry, "InvalidKeyState", [keyId, KeyState.Revoked]);
  });

  it("removing or replacing the rotator ends its power at once", async () => {
    const f = await withRotator();
    const a = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.setRotator([zeroAddress]);
    const notOwner = (keyId: Hex, who: WalletClient): [Hex, Hex, Hex] => [keyId, who.account.address, f.alice.account.address];
    await expectRevert(f.as(f.bob).write.rotate([a.keyId, next.args, HOUR]), f.registry, "NotKeyOwner", notOwner(a.keyId, f.bob));
    await expectRevert(f.as(f.bob).write.revoke([a.keyId, "x"]), f.registry, "NotKeyOwner", notOwner(a.keyId, f.bob));
    await expectRevert(f.as(f.bob).write.revokeBatch([[a.keyId], "x"]), f.registry, "NotKeyOwner", notOwner(a.keyId, f.bob));
    // Replaced: the new one acts, the old one does not.
    await f.as(f.alice).write.setRotator([f.bob.account.address]);
    await f.as(f.alice).write.setRotator([f.stranger.account.address]);
    await expectRevert(f.as(f.bob).write.revoke([a.keyId, "x"]), f.registry, "NotKeyOwner", notOwner(a.keyId, f.bob));
    await f.as(f.stranger).write.rotate([a.keyId, next.args, HOUR]);
    expect(await f.registry.read.getKey([next.key.keyId])).toMatchObject({ owner: address(f.alice), version: 2 });
  });
});
