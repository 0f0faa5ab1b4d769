// releaseKeys: the lazy half of revocation. `revoke` no longer touches the owner's slot
// (gas budget), so a revoked lineage head keeps its place under maxKeysPerOwner until
// anyone releases it. What must hold: only revoked heads are released, each once, by
// anyone, freeing exactly one place; live keys, suspended keys, rotated-out keys and a
// revoked owner's keys free nothing; a release never makes a key valid.
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  defaultPolicy,
  expectEvents,
  HOUR,
  KeyState,
  makeNewKey,
  type Policy,
  Reason,
  registerKey,
  type RegistryFixture,
  registryFixture,
  ReleaseSkip,
  type WalletClient,
} from "./fixtures.ts";

const { viem, networkHelpers } = await network.create();
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;
const address = (wallet: WalletClient) => getAddress(wallet.account.address);
const count = async (f: RegistryFixture, wallet: WalletClient = f.alice) => (await f.registry.read.ownerRecord([wallet.account.address])).unreleasedLineages;
const setPolicy = (f: RegistryFixture, change: Partial<Policy>) => f.as(f.governance).write.setPolicy([{ ...defaultPolicy, ...change }]);

describe("KeyRegistry releaseKeys", () => {
  it("anyone releases a revoked head once: the place is freed, the key stays revoked, a second release is skipped", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 1 });
    const { keyId } = await registerKey(f);
    await f.as(f.alice).write.revoke([keyId, "retired"]);
    expect(await count(f)).toBe(1);
    const extra = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 1n, 1n]);

    // A stranger (no relation to the owner) may release it.
    const hash = await f.as(f.stranger).write.releaseKeys([[keyId]]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "KeyReleased", args: { keyId, owner: address(f.alice), by: address(f.stranger) } }]);
    expect(await count(f)).toBe(0);
    expect((await f.registry.read.getKey([keyId])).state).toBe(KeyState.Revoked);
    expect(await f.registry.read.keyStatus([keyId, 0])).toEqual([false, Reason.Revoked]);

    // Once: again (alone, or twice in one batch) frees nothing more and does not revert.
    const again = await f.as(f.bob).write.releaseKeys([[keyId, keyId]]);
    await expectEvents(f.publicClient, f.registry, again, [
      { eventName: "KeyReleaseSkipped", args: { keyId, reason: ReleaseSkip.AlreadyReleased } },
      { eventName: "KeyReleaseSkipped", args: { keyId, reason: ReleaseSkip.AlreadyReleased } },
    ]);
    expect(await count(f)).toBe(0);
    await f.as(f.alice).write.register([extra.args, "bot"]);
    expect(await count(f)).toBe(1);
  });

  it("cannot release a live key, a suspended one (running or lapsed) or a rotated-out version: skipped, nothing freed", async () => {
    const f = await load();
    const live = await registerKey(f);
    const suspended = await registerKey(f);
    await f.as(f.guardian).write.suspend([suspended.keyId, "x"]);
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    // A rotated-out version revoked on its own is no head: its lineage lives on in `next`.
    await f.as(f.alice).write.revoke([old.keyId, "old version"]);
    expect(await count(f)).toBe(3);
    const hash = await f.as(f.stranger).write.releaseKeys([[live.keyId, suspended.keyId, old.keyId, next.key.keyId]]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyReleaseSkipped", args: { keyId: live.keyId, reason: ReleaseSkip.NotRevoked } },
      { eventName: "KeyReleaseSkipped", args: { keyId: suspended.keyId, reason: ReleaseSkip.NotRevoked } },
      { eventName: "KeyReleaseSkipped", args: { keyId: old.keyId, reason: ReleaseSkip.NotHead } },
      { eventName: "KeyReleaseSkipped", args: { keyId: next.key.keyId, reason: ReleaseSkip.NotRevoked } },
    ]);
    await f.time.increase(defaultPolicy.maxSuspension + HOUR);
    await f.as(f.stranger).write.releaseKeys([[suspended.keyId]]);
    expect(await count(f)).toBe(3);
    expect(await f.registry.read.keyStatus([live.keyId, 0])).toEqual([true, Reason.Valid]);
    expect(await f.registry.read.keyStatus([next.key.keyId, 0])).toEqual([true, Reason.Valid]);
    // The rotated lineage frees its place through its head, once the head is revoked.
    await f.as(f.alice).write.revoke([next.key.keyId, "done"]);
    await f.as(f.stranger).write.releaseKeys([[old.keyId, next.key.keyId]]);
    expect(await count(f)).toBe(2);
  });

  it("a revoked owner's keys are skipped: its count stays 0 and it still cannot register", async () => {
    const f = await load();
    const a = await registerKey(f);
    const b = await registerKey(f);
    await f.as(f.alice).write.revoke([a.keyId, "before"]);
    await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "sanctioned"]);
    await f.as(f.governance).write.governanceRevoke([b.keyId, "after"]);
    expect(await count(f)).toBe(0);
    const hash = await f.as(f.stranger).write.releaseKeys([[a.keyId, b.keyId]]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyReleaseSkipped", args: { keyId: a.keyId, reason: ReleaseSkip.OwnerRevoked } },
      { eventName: "KeyReleaseSkipped", args: { keyId: b.keyId, reason: ReleaseSkip.OwnerRevoked } },
    ]);
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toMatchObject({ unreleasedLineages: 0, revoked: true });
    const fresh = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([fresh.args, "bot"]), f.registry, "OwnerIsRevoked", [f.alice.account.address]);
  });

  it("releases keys of several owners in one batch, each from its own count; unknown ids and bad batch sizes revert", async () => {
    const f = await load();
    const a = await registerKey(f);
    const b = await registerKey(f, { owner: f.bob });
    await registerKey(f, { owner: f.bob });
    await f.as(f.alice).write.revoke([a.keyId, "x"]);
    await f.as(f.bob).write.revoke([b.keyId, "x"]);
    await f.as(f.stranger).write.releaseKeys([[a.keyId, b.keyId]]);
    expect([await count(f), await count(f, f.bob)]).toEqual([0, 1]);
    const unknown = `0x${"cd".repeat(32)}` as Hex;
    await expectRevert(f.as(f.stranger).write.releaseKeys([[a.keyId, unknown]]), f.registry, "KeyNotFound", [unknown]);
    await expectRevert(f.as(f.stranger).write.releaseKeys([[]]), f.registry, "InvalidBatchSize", [0n]);
    await expectRevert(f.as(f.stranger).write.releaseKeys([Array.from({ length: 257 }, () => a.keyId)]), f.registry, "InvalidBatchSize", [257n]);
  });

  it("a suspension uses the DAO's current maximum: the guardian's cached copy follows every policy change", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    await setPolicy(f, { maxSuspension: HOUR });
    await f.as(f.guardian).write.suspend([keyId, "x"]);
    expect((await f.registry.read.getKey([keyId])).suspendedUntil).toBe((await f.time.latest()) + HOUR);
    // A guardian appointed after the change, and one removed and appointed again, too.
    await f.as(f.governance).write.setGuardian([f.bob.account.address, true]);
    await f.as(f.governance).write.setGuardian([f.guardian.account.address, false]);
    await setPolicy(f, { maxSuspension: 2 * HOUR });
    await f.as(f.governance).write.setGuardian([f.guardian.account.address, true]);
    const other = await registerKey(f);
    await f.as(f.bob).write.suspend([other.keyId, "x"]);
    expect((await f.registry.read.getKey([other.keyId])).suspendedUntil).toBe((await f.time.latest()) + 2 * HOUR);
    const third = await registerKey(f);
    await f.as(f.guardian).write.suspend([third.keyId, "x"]);
    expect((await f.registry.read.getKey([third.keyId])).suspendedUntil).toBe((await f.time.latest()) + 2 * HOUR);
    expect(await f.registry.read.isGuardian([f.guardian.account.address])).toBe(true);
    await f.as(f.guardian).write.removeGuardian([f.guardian.account.address]);
    expect(await f.registry.read.isGuardian([f.guardian.account.address])).toBe(false);
    await expectRevert(f.as(f.guardian).write.suspend([keyId, "x"]), f.registry, "NotGuardian", [f.guardian.account.address]);
  });
});
