// Registry v2: each attack on v1 reproduced through the public contract interface,
// and shown to fail now.
//   (a) squatting: a watcher copies a victim's public key from the mempool and
//       registers it from another wallet first;
//   (b) Ed25519 small-order keys (registryV2.test.ts, "refuses every small-order ...");
//   (c) a rogue guardian suspends keys forever;
//   (d) an owner rotates while a governance revoke is being voted on;
//   (e) one owner floods every index with keys (per-owner cap).
import { p256 } from "@noble/curves/p256";
import { network } from "hardhat";
import { bytesToBigInt, getAddress, type Hex, hexToBytes, numberToHex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import {
  applyRegistryEvent,
  applyRegistryGlobalEvent,
  effectiveKeyState,
  globalEventNames,
  initialRegistryGlobals,
  isOwnerRevoked,
  type KeyStateRecord,
  keyEventNames,
  type RegistryGlobalEvent,
  type RegistryKeyEvent,
} from "../../src/chain/keyState/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { type Algorithm, algorithms, computeKeyId, generateKey, keyIdOwner, signProofOfPossession } from "../../src/keys/index.ts";
import {
  DAY,
  defaultPolicy,
  eventsOf,
  expectEvents,
  HOUR,
  KeyState,
  makeNewKey,
  newKeyArgs,
  nextTimestamp,
  type Policy,
  Reason,
  registerKey,
  ReleaseSkip,
  type RegistryFixture,
  registryFixture,
  Scope,
  type WalletClient,
} from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;
const address = (wallet: WalletClient) => getAddress(wallet.account.address);
const junkProof = `0x${"a5".repeat(64)}` as Hex;
const MAX_SUSPENSION = defaultPolicy.maxSuspension;

const status = (f: RegistryFixture, keyId: Hex, scopes = 0) => f.registry.read.keyStatus([keyId, scopes]);
const record = (f: RegistryFixture, keyId: Hex) => f.registry.read.getKey([keyId]);
const ownerRecord = (f: RegistryFixture, wallet: WalletClient) => f.registry.read.ownerRecord([wallet.account.address]);
/** `releaseKeys` sent by a stranger: the call is permissionless. */
const release = (f: RegistryFixture, keyIds: Hex[]) => f.as(f.stranger).write.releaseKeys([keyIds]);
const setPolicy = (f: RegistryFixture, change: Partial<Policy>) => f.as(f.governance).write.setPolicy([{ ...defaultPolicy, ...change }]);

/** A fresh key, the victim's genuine arguments for it, and the ids victim and squatter get. */
async function victimKey(f: RegistryFixture, alg: Algorithm, victim: WalletClient, squatter: WalletClient) {
  const now = await f.time.latest();
  const key = await generateKey({ alg, label: "victim-bot" });
  const args = await newKeyArgs({
    key,
    registry: f.registry.address,
    chainId: f.chainId,
    owner: victim.account.address,
    scopes: Scope.read,
    notBefore: now,
    expiresAt: now + 30 * DAY,
  });
  const victimId = computeKeyId({ publicKey: key.publicKey, owner: victim.account.address });
  const squatterId = computeKeyId({ publicKey: key.publicKey, owner: squatter.account.address });
  return { key, args, victimId, squatterId };
}

describe("attack (a): squatting a victim's public key from another wallet", () => {
  for (const alg of algorithms) {
    it(`${alg}: the squatter's id is different and names the squatter; the victim still registers under its own id`, async () => {
      const f = await load();
      const { args, victimId, squatterId } = await victimKey(f, alg, f.alice, f.mallory);
      expect(squatterId).not.toBe(victimId);
      expect(keyIdOwner(victimId)).toBe(address(f.alice));
      expect(keyIdOwner(squatterId)).toBe(address(f.mallory));
      expect(await f.registry.read.computeKeyId([f.mallory.account.address, args.publicKey])).toBe(squatterId);

      // The watcher front-runs with the copied key and a junk proof.
      const squat = f.as(f.mallory).write.register([{ ...args, proof: junkProof }, "squat"]);
      if (alg === "ed25519") {
        // Ed25519 proofs are only length-checked on chain: the copy is stored, but under
        // the squatter's own id (verifiers refuse it: its proof does not verify).
        const hash = await squat;
        const [event] = await eventsOf(f.publicClient, hash);
        expect(event?.eventName === "KeyRegistered" && [event.args.keyId, getAddress(event.args.owner)]).toEqual([squatterId, address(f.mallory)]);
        expect((await record(f, squatterId)).owner).toBe(address(f.mallory));
      } else {
        await expectRevert(squat, f.registry, "InvalidProof", [squatterId]);
        expect((await record(f, squatterId)).state).toBe(KeyState.Unknown);
        expect(await ownerRecord(f, f.mallory)).toEqual({ unreleasedLineages: 0, revoked: false, rotator: zeroAddress, nonce: 0 });
      }
      // Whatever the squatter did, the victim's id is untouched and its registration succeeds.
      expect((await record(f, victimId)).state).toBe(KeyState.Unknown);
      const hash = await f.as(f.alice).write.register([args, "victim-bot"]);
      const [event] = await eventsOf(f.publicClient, hash);
      expect(event?.eventName === "KeyRegistered" && [event.args.keyId, getAddress(event.args.owner)]).toEqual([victimId, address(f.alice)]);
      expect(await record(f, victimId)).toMatchObject({ owner: address(f.alice), state: KeyState.Active, version: 1 });
      expect(await status(f, victimId, Scope.read)).toEqual([true, Reason.Valid]);
      // The copy never reaches the victim's record, and the victim can revoke only its own.
      await expectRevert(f.as(f.alice).write.revoke([squatterId, "x"]), f.registry, alg === "ed25519" ? "NotKeyOwner" : "KeyNotFound",
        alg === "ed25519" ? [squatterId, f.alice.account.address, f.mallory.account.address] : [squatterId]);
    });
  }

  for (const alg of ["ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"] as const) {
    it(`${alg}: a genuine proof signed for a different owner, registry or key is refused on chain with InvalidProof`, async () => {
      const f = await load();
      const { key, args, victimId, squatterId } = await victimKey(f, alg, f.alice, f.mallory);
      // The victim's own valid proof (for the victim) replayed by the squatter.
      await expectRevert(f.as(f.mallory).write.register([args, "squat"]), f.registry, "InvalidProof", [squatterId]);
      // Through rotate too: the squatter's own lineage cannot adopt the copied key.
      const mine = await registerKey(f, { owner: f.mallory });
      await expectRevert(f.as(f.mallory).write.rotate([mine.keyId, args, HOUR]), f.registry, "InvalidProof", [squatterId]);
      // A valid signature by the key itself, but for bob: refused when alice sends it.
      const forBob = await signProofOfPossession({ key, chainId: f.chainId, registry: f.registry.address, owner: f.bob.account.address });
      await expectRevert(f.as(f.alice).write.register([{ ...args, proof: forBob }, "bot"]), f.registry, "InvalidProof", [victimId]);
      // For alice, but on another registry.
      const elsewhere = await signProofOfPossession({ key, chainId: f.chainId, registry: f.mallory.account.address, owner: f.alice.account.address });
      await expectRevert(f.as(f.alice).write.register([{ ...args, proof: elsewhere }, "bot"]), f.registry, "InvalidProof", [victimId]);
      // For alice, but on another chain.
      const otherChain = await signProofOfPossession({ key, chainId: f.chainId + 1, registry: f.registry.address, owner: f.alice.account.address });
      await expectRevert(f.as(f.alice).write.register([{ ...args, proof: otherChain }, "bot"]), f.registry, "InvalidProof", [victimId]);
      // A proof by another key of alice's, and the right proof attached to another public key.
      const other = await makeNewKey(f, { owner: f.alice, alg });
      await expectRevert(f.as(f.alice).write.register([{ ...args, proof: other.args.proof }, "bot"]), f.registry, "InvalidProof", [victimId]);
      // The compressed key with the other parity prefix is a different point (its negation).
      const flipped = `0x${args.publicKey.startsWith("0x02") ? "03" : "02"}${args.publicKey.slice(4)}` as Hex;
      const flippedId = computeKeyId({ publicKey: hexToBytes(flipped), owner: f.alice.account.address });
      await expectRevert(f.as(f.alice).write.register([{ ...args, publicKey: flipped }, "bot"]), f.registry, "InvalidProof", [flippedId]);
      // An x that is no point of the curve.
      const offCurve = `0x02${"00".repeat(31)}05` as Hex;
      const offId = computeKeyId({ publicKey: hexToBytes(offCurve), owner: f.alice.account.address });
      const offCurveRefused = f.as(f.alice).write.register([{ ...args, publicKey: offCurve }, "bot"]);
      await expectRevert(offCurveRefused, f.registry, "InvalidProof", [offId]);
      // Nothing was stored; the genuine proof still works.
      expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 0, revoked: false, rotator: zeroAddress, nonce: 0 });
      await f.as(f.alice).write.register([args, "bot"]);
      expect((await record(f, victimId)).owner).toBe(address(f.alice));
    });
  }

  it("ecdsa-p256-sha256: the malleable high-s twin of a valid proof is refused (OpenZeppelin P256 wants low s)", async () => {
    const f = await load();
    const { args, victimId } = await victimKey(f, "ecdsa-p256-sha256", f.alice, f.mallory);
    const s = bytesToBigInt(hexToBytes(args.proof).subarray(32));
    expect(s <= p256.CURVE.n / 2n).toBe(true);
    const twin = `${args.proof.slice(0, 66)}${numberToHex(p256.CURVE.n - s, { size: 32 }).slice(2)}` as Hex;
    await expectRevert(f.as(f.alice).write.register([{ ...args, proof: twin }, "bot"]), f.registry, "InvalidProof", [victimId]);
    await f.as(f.alice).write.register([args, "bot"]);
  });
});

describe("attack (c): a rogue guardian", () => {
  it("a suspension lapses exactly at now + maxSuspension: keyStatus and getKey read Active again", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const t = await nextTimestamp(f);
    const until = t + MAX_SUSPENSION;
    const hash = await f.as(f.guardian).write.suspend([keyId, "rogue"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeySuspended", args: { keyId, guardian: address(f.guardian), reason: "rogue", until } },
    ]);
    expect(await status(f, keyId)).toEqual([false, Reason.Suspended]);
    await f.time.increaseTo(until - 1);
    expect(await status(f, keyId)).toEqual([false, Reason.Suspended]);
    expect(await record(f, keyId)).toMatchObject({ state: KeyState.Suspended, suspendedUntil: until });
    await f.time.increaseTo(until);
    expect(await status(f, keyId, Scope.read)).toEqual([true, Reason.Valid]);
    expect(await record(f, keyId)).toMatchObject({ state: KeyState.Active, suspendedUntil: until });
  });

  it("a guardian cannot renew a lapsed suspension, nor can another guardian (SuspensionSpent), until the DAO unsuspends", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    await f.as(f.governance).write.setGuardian([f.stranger.account.address, true]);
    await f.as(f.guardian).write.suspend([keyId, "rogue"]);
    // While it runs: already suspended.
    await expectRevert(f.as(f.stranger).write.suspend([keyId, "again"]), f.registry, "InvalidKeyState", [keyId, KeyState.Suspended]);
    await f.time.increase(MAX_SUSPENSION);
    expect(await status(f, keyId)).toEqual([true, Reason.Valid]);
    for (const g of [f.guardian, f.stranger]) {
      await expectRevert(f.as(g).write.suspend([keyId, "again"]), f.registry, "SuspensionSpent", [keyId]);
    }
    // The DAO rules (lifting even a lapsed suspension clears the spent flag): guardians may act once more.
    const lifted = await f.as(f.governance).write.unsuspend([keyId]);
    await expectEvents(f.publicClient, f.registry, lifted, [{ eventName: "KeyUnsuspended", args: { keyId, by: address(f.governance) } }]);
    expect(await record(f, keyId)).toMatchObject({ state: KeyState.Active, suspendedUntil: 0 });
    const t = await nextTimestamp(f);
    await f.as(f.stranger).write.suspend([keyId, "new evidence"]);
    expect(await record(f, keyId)).toMatchObject({ state: KeyState.Suspended, suspendedUntil: t + MAX_SUSPENSION });
    await f.time.increaseTo(t + MAX_SUSPENSION);
    await expectRevert(f.as(f.guardian).write.suspend([keyId, "again"]), f.registry, "SuspensionSpent", [keyId]);
  });

  it("the owner escapes a suspension by rotating: the new key is valid at once, the old one stays suspended", async () => {
    const f = await load();
    const old = await registerKey(f);
    await f.as(f.guardian).write.suspend([old.keyId, "rogue"]);
    const next = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256" });
    await f.as(f.alice).write.rotate([old.keyId, next.args, 0]);
    expect(await status(f, next.key.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    expect(await status(f, old.keyId)).toEqual([false, Reason.Suspended]);
    expect(await record(f, old.keyId)).toMatchObject({ state: KeyState.Suspended, rotated: true });
    expect(await record(f, next.key.keyId)).toMatchObject({ state: KeyState.Active, version: 2, suspendedUntil: 0 });
    // A rotation does not reset the cap count either.
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("the DAO extends a running suspension (SuspensionExtended) and it lapses at the new end", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const t = await nextTimestamp(f);
    await f.as(f.guardian).write.suspend([keyId, "rogue?"]);
    const until = t + MAX_SUSPENSION;
    const later = until + 10 * DAY;
    for (const requested of [until, until - 1]) {
      await expectRevert(f.as(f.governance).write.extendSuspension([keyId, requested]), f.registry, "SuspensionNotExtended", [
        keyId,
        until,
        requested,
      ]);
    }
    await expectRevert(f.as(f.guardian).write.extendSuspension([keyId, later]), f.registry, "NotGovernance", [f.guardian.account.address]);
    const hash = await f.as(f.governance).write.extendSuspension([keyId, later]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "SuspensionExtended", args: { keyId, until: later } }]);
    expect((await record(f, keyId)).suspendedUntil).toBe(later);
    await f.time.increaseTo(until);
    expect(await status(f, keyId)).toEqual([false, Reason.Suspended]);
    await f.time.increaseTo(later - 1);
    expect(await status(f, keyId)).toEqual([false, Reason.Suspended]);
    await f.time.increaseTo(later);
    expect(await status(f, keyId)).toEqual([true, Reason.Valid]);
    // Lapsed: there is no running suspension to extend any more.
    await expectRevert(f.as(f.governance).write.extendSuspension([keyId, later + DAY]), f.registry, "InvalidKeyState", [keyId, KeyState.Active]);
  });

  it("extendSuspension refuses keys that are not suspended (active, revoked, unknown)", async () => {
    const f = await load();
    const active = (await registerKey(f)).keyId;
    const revoked = (await registerKey(f)).keyId;
    await f.as(f.alice).write.revoke([revoked, "x"]);
    const far = (await f.time.latest()) + 30 * DAY;
    await expectRevert(f.as(f.governance).write.extendSuspension([active, far]), f.registry, "InvalidKeyState", [active, KeyState.Active]);
    await expectRevert(f.as(f.governance).write.extendSuspension([revoked, far]), f.registry, "InvalidKeyState", [revoked, KeyState.Revoked]);
    const unknown = `0x${"cd".repeat(32)}` as Hex;
    await expectRevert(f.as(f.governance).write.extendSuspension([unknown, far]), f.registry, "KeyNotFound", [unknown]);
  });

  it("the bound is the policy's at suspension time, clamped to uint32", async () => {
    const f = await load();
    const a = (await registerKey(f)).keyId;
    const b = (await registerKey(f)).keyId;
    await setPolicy(f, { maxSuspension: HOUR });
    const t = await nextTimestamp(f);
    await f.as(f.guardian).write.suspend([a, "x"]);
    expect((await record(f, a)).suspendedUntil).toBe(t + HOUR);
    // A later policy change does not move a running suspension.
    await setPolicy(f, { maxSuspension: 2 ** 32 - 1 });
    expect((await record(f, a)).suspendedUntil).toBe(t + HOUR);
    await f.as(f.guardian).write.suspend([b, "x"]);
    expect((await record(f, b)).suspendedUntil).toBe(2 ** 32 - 1);
    await f.time.increaseTo(t + HOUR);
    expect(await status(f, a)).toEqual([true, Reason.Valid]);
  });
});

describe("attack (d): the owner rotates while a governance revoke is voted on", () => {
  /** alice's lineage v1 -> v2 -> v3, rotated while "the proposal" naming v1 waits. */
  async function lineage(f: RegistryFixture) {
    const v1 = await registerKey(f);
    const v2 = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([v1.keyId, v2.args, HOUR]);
    const v3 = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-secp256k1-sha256" });
    await f.as(f.alice).write.rotate([v2.key.keyId, v3.args, HOUR]);
    return [v1.keyId, v2.key.keyId, v3.key.keyId] as const;
  }

  it("governanceRevoke of the voted id alone leaves the successors valid (the v1 escape) ...", async () => {
    const f = await load();
    const [v1, v2, v3] = await lineage(f);
    await f.as(f.governance).write.governanceRevoke([v1, "proposal 12"]);
    expect(await status(f, v2)).toEqual([true, Reason.Valid]);
    expect(await status(f, v3)).toEqual([true, Reason.Valid]);
  });

  it("... governanceRevokeLineage revokes the voted key and every later version, and, released, frees one place", async () => {
    const f = await load();
    const [v1, v2, v3] = await lineage(f);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
    const hash = await f.as(f.governance).write.governanceRevokeLineage([v1, "proposal 12"]);
    await expectEvents(
      f.publicClient,
      f.registry,
      hash,
      [v1, v2, v3].map((keyId) => ({ eventName: "KeyRevoked", args: { keyId, by: address(f.governance), reason: "proposal 12" } })),
    );
    for (const keyId of [v1, v2, v3]) {
      expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
      expect(await status(f, keyId)).toEqual([false, Reason.Revoked]);
    }
    // Revocation leaves the owner's count alone (lazy release); releasing the head frees the place.
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
    await release(f, [v3]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 0, revoked: false, rotator: zeroAddress, nonce: 0 });
    // Executed again (a duplicate proposal): everything is skipped, nothing reverts.
    const again = await f.as(f.governance).write.governanceRevokeLineage([v1, "again"]);
    await expectEvents(f.publicClient, f.registry, again, [v1, v2, v3].map((keyId) => ({ eventName: "KeySkipped", args: { keyId, state: KeyState.Revoked } })));
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 0, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("governanceRevokeLineage from a middle version spares earlier ones, skips revoked ones and refuses unknown ids", async () => {
    const f = await load();
    const [v1, v2, v3] = await lineage(f);
    await f.as(f.alice).write.revoke([v2, "mine"]);
    const hash = await f.as(f.governance).write.governanceRevokeLineage([v2, "proposal 13"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeySkipped", args: { keyId: v2, state: KeyState.Revoked } },
      { eventName: "KeyRevoked", args: { keyId: v3, by: address(f.governance), reason: "proposal 13" } },
    ]);
    expect((await record(f, v1)).state).toBe(KeyState.Active);
    const single = await registerKey(f, { owner: f.bob });
    const one = await f.as(f.governance).write.governanceRevokeLineage([single.keyId, "x"]);
    await expectEvents(f.publicClient, f.registry, one, [{ eventName: "KeyRevoked", args: { keyId: single.keyId, by: address(f.governance), reason: "x" } }]);
    const unknown = `0x${"cd".repeat(32)}` as Hex;
    await expectRevert(f.as(f.governance).write.governanceRevokeLineage([unknown, "x"]), f.registry, "KeyNotFound", [unknown]);
  });

  it("governanceRevokeOwner ends every key of the owner at once and refuses its new ones; final", async () => {
    const f = await load();
    const [v1, v2, v3] = await lineage(f);
    const suspended = (await registerKey(f)).keyId;
    await f.as(f.guardian).write.suspend([suspended, "x"]);
    const revoked = (await registerKey(f)).keyId;
    await f.as(f.alice).write.revoke([revoked, "mine"]);
    const later = (await registerKey(f, { notBefore: (await f.time.latest()) + DAY })).keyId;
    const bobs = (await registerKey(f, { owner: f.bob })).keyId;
    // The revoked key's lineage counts until released.
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 4, revoked: false, rotator: zeroAddress, nonce: 0 });

    await expectRevert(f.as(f.alice).write.governanceRevokeOwner([f.alice.account.address, "x"]), f.registry, "NotGovernance", [
      f.alice.account.address,
    ]);
    const hash = await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "proposal 14"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "OwnerRevoked", args: { owner: address(f.alice), by: address(f.governance), reason: "proposal 14" } },
    ]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 0, revoked: true, rotator: zeroAddress, nonce: 0 });
    for (const keyId of [v1, v2, v3, suspended, later]) {
      expect(await status(f, keyId), keyId).toEqual([false, Reason.OwnerRevoked]);
      expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    }
    expect(await status(f, revoked)).toEqual([false, Reason.Revoked]);
    // Nothing comes back: not with time (the suspension lapsing), not by unsuspending.
    await f.as(f.governance).write.unsuspend([suspended]);
    await f.time.increase(2 * DAY);
    for (const keyId of [v3, suspended, later]) expect(await status(f, keyId)).toEqual([false, Reason.OwnerRevoked]);

    // New keys, rotations and extensions are refused.
    const fresh = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([fresh.args, "bot"]), f.registry, "OwnerIsRevoked", [f.alice.account.address]);
    await expectRevert(f.as(f.alice).write.rotate([v3, fresh.args, HOUR]), f.registry, "OwnerIsRevoked", [f.alice.account.address]);
    await expectRevert(f.as(f.alice).write.extendOverlap([v2, (await f.time.latest()) + HOUR]), f.registry, "OwnerIsRevoked", [
      f.alice.account.address,
    ]);
    // Final: a second revocation is skipped with an event (a bundled proposal still executes).
    await expectEvents(f.publicClient, f.registry, await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "again"]), [
      { eventName: "OwnerRevocationSkipped", args: { owner: f.alice.account.address } },
    ]);
    // Other owners are untouched.
    expect(await status(f, bobs)).toEqual([true, Reason.Valid]);
    await registerKey(f, { owner: f.bob });
    expect(await ownerRecord(f, f.bob)).toEqual({ unreleasedLineages: 2, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("governanceRevokeOwner reaches an owner with no keys yet (a known bad wallet)", async () => {
    const f = await load();
    await f.as(f.governance).write.governanceRevokeOwner([f.mallory.account.address, "sanctioned"]);
    const fresh = await makeNewKey(f, { owner: f.mallory });
    await expectRevert(f.as(f.mallory).write.register([fresh.args, "bot"]), f.registry, "OwnerIsRevoked", [f.mallory.account.address]);
  });
});

describe("attack (e): the per-owner cap on live lineages", () => {
  it("register is refused at the cap with TooManyKeys; other owners are unaffected", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 3 });
    for (let i = 1; i <= 3; i++) {
      await registerKey(f);
      expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: i, revoked: false, rotator: zeroAddress, nonce: 0 });
    }
    const extra = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 3n, 3n]);
    // The cap is checked first: even an otherwise invalid registration reports it.
    await expectRevert(f.as(f.alice).write.register([{ ...extra.args, proof: "0x" }, "bot"]), f.registry, "TooManyKeys", [
      f.alice.account.address,
      3n,
      3n,
    ]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 3, revoked: false, rotator: zeroAddress, nonce: 0 });
    await registerKey(f, { owner: f.bob });
    // A failed registration costs no place.
    const bad = await makeNewKey(f, { owner: f.bob });
    await expectRevert(f.as(f.bob).write.register([{ ...bad.args, proof: "0x" }, "bot"]), f.registry, "InvalidProofLength", [0n]);
    expect(await ownerRecord(f, f.bob)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("rotating at the cap is allowed; a rotated-out key frees nothing; a revoked head frees one place once released", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 2 });
    const a = await registerKey(f);
    await registerKey(f);
    const a2 = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([a.keyId, a2.args, HOUR]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 2, revoked: false, rotator: zeroAddress, nonce: 0 });
    await f.as(f.alice).write.revoke([a.keyId, "old version"]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 2, revoked: false, rotator: zeroAddress, nonce: 0 });
    const extra = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 2n, 2n]);
    await f.as(f.alice).write.revoke([a2.key.keyId, "retired"]);
    // Revoked but not released: still counted.
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 2, revoked: false, rotator: zeroAddress, nonce: 0 });
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 2n, 2n]);
    await expectEvents(f.publicClient, f.registry, await release(f, [a.keyId, a2.key.keyId]), [
      { eventName: "KeyReleaseSkipped", args: { keyId: a.keyId, reason: ReleaseSkip.NotHead } },
      { eventName: "KeyReleased", args: { keyId: a2.key.keyId, owner: address(f.alice), by: address(f.stranger) } },
    ]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
    await f.as(f.alice).write.register([extra.args, "bot"]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 2, revoked: false, rotator: zeroAddress, nonce: 0 });
  });

  it("a head revoked by anyone frees its place once released: governance, a batch, a suspended head; a duplicate frees nothing more", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 4 });
    const [k1, k2, k3, k4] = [await registerKey(f), await registerKey(f), await registerKey(f), await registerKey(f)].map((k) => k.keyId) as [Hex, Hex, Hex, Hex];
    await f.as(f.governance).write.governanceRevoke([k1, "x"]);
    expect((await ownerRecord(f, f.alice)).unreleasedLineages).toBe(4);
    await release(f, [k1]);
    expect((await ownerRecord(f, f.alice)).unreleasedLineages).toBe(3);
    await f.as(f.guardian).write.suspend([k2, "x"]);
    await f.as(f.governance).write.governanceRevokeBatch([[k2, k1, k2], "x"]);
    await expectEvents(f.publicClient, f.registry, await release(f, [k2, k1, k2]), [
      { eventName: "KeyReleased", args: { keyId: k2, owner: address(f.alice), by: address(f.stranger) } },
      { eventName: "KeyReleaseSkipped", args: { keyId: k1, reason: ReleaseSkip.AlreadyReleased } },
      { eventName: "KeyReleaseSkipped", args: { keyId: k2, reason: ReleaseSkip.AlreadyReleased } },
    ]);
    expect((await ownerRecord(f, f.alice)).unreleasedLineages).toBe(2);
    await f.as(f.alice).write.revokeBatch([[k3, k3, k4], "x"]);
    await release(f, [k3, k4, k3]);
    expect((await ownerRecord(f, f.alice)).unreleasedLineages).toBe(0);
  });

  it("expired keys keep their place until revoked and released", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 1 });
    const now = await f.time.latest();
    const { keyId } = await registerKey(f, { notBefore: now, expiresAt: now + HOUR });
    await f.time.increase(2 * HOUR);
    expect(await status(f, keyId)).toEqual([false, Reason.Expired]);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([next.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 1n, 1n]);
    await f.as(f.alice).write.revoke([keyId, "expired"]);
    await expectRevert(f.as(f.alice).write.register([next.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 1n, 1n]);
    await release(f, [keyId]);
    await f.as(f.alice).write.register([next.args, "bot"]);
  });

  it("a policy lowering the cap below the current count refuses new registrations only", async () => {
    const f = await load();
    const keys = [await registerKey(f), await registerKey(f), await registerKey(f)];
    await setPolicy(f, { maxKeysPerOwner: 1 });
    const extra = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 3n, 1n]);
    // Existing keys stay valid and keep rotating.
    for (const k of keys) expect(await status(f, k.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([keys[0]!.keyId, next.args, HOUR]);
    expect(await status(f, next.key.keyId)).toEqual([true, Reason.Valid]);
    await f.as(f.alice).write.revoke([keys[1]!.keyId, "x"]);
    await release(f, [keys[1]!.keyId]);
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 2n, 1n]);
    await f.as(f.alice).write.revoke([keys[2]!.keyId, "x"]);
    await release(f, [keys[2]!.keyId]);
    await expectRevert(f.as(f.alice).write.register([extra.args, "bot"]), f.registry, "TooManyKeys", [f.alice.account.address, 1n, 1n]);
    await f.as(f.alice).write.revoke([next.key.keyId, "x"]);
    await release(f, [next.key.keyId]);
    await f.as(f.alice).write.register([extra.args, "bot"]);
    expect(await ownerRecord(f, f.alice)).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 0 });
  });
});

// After governanceRevokeOwner every key of the owner is final. The write paths that
// are gas-budgeted (suspend, revoke, governanceRevoke) no longer read the owner's slot,
// so a guardian's KeySuspended or a second KeyRevoked may follow; what must hold is that
// no reader ever shows such a key usable again: getKey, keyStatus, unsuspend (skips it)
// and the shared reducer with `effectiveKeyState` (what the verifier's index and the
// indexer use) all let the owner's revocation win.
describe("attack (d), follow-up: a revoked owner's keys are final", () => {
  it("a revoked owner's keys stay revoked for every reader, whatever guardians and governance send later", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const fromBlock = await f.publicClient.getBlockNumber();
    await f.as(f.governance).write.governanceRevokeOwner([f.alice.account.address, "proposal 15"]);
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    await f.as(f.guardian).write.suspend([keyId, "x"]);
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    expect(await status(f, keyId)).toEqual([false, Reason.OwnerRevoked]);
    // The DAO cannot lift it either: unsuspend skips a revoked owner's key.
    await expectEvents(f.publicClient, f.registry, await f.as(f.governance).write.unsuspend([keyId]), [
      { eventName: "KeySkipped", args: { keyId, state: KeyState.Revoked } },
    ]);
    await f.as(f.governance).write.governanceRevoke([keyId, "again"]);
    await expectRevert(f.as(f.alice).write.revoke([keyId, "mine"]), f.registry, "InvalidKeyState", [keyId, KeyState.Revoked]);
    await f.time.increase(MAX_SUSPENSION + DAY);
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    // Replayed from the logs through the shared reducer: revoked at every step after OwnerRevoked.
    const logs = await f.publicClient.getContractEvents({ address: f.registry.address, abi: keyRegistryAbi, fromBlock: fromBlock - 1n, strict: true });
    const records = new Map<Hex, KeyStateRecord>();
    let globals = initialRegistryGlobals;
    const seen: string[] = [];
    for (const log of logs) {
      if ((globalEventNames as readonly string[]).includes(log.eventName)) {
        globals = applyRegistryGlobalEvent({ event: log as RegistryGlobalEvent, globals });
      } else if ((keyEventNames as readonly string[]).includes(log.eventName)) {
        for (const { keyId: id, next } of applyRegistryEvent({ event: log as RegistryKeyEvent, get: (id) => records.get(id) })) records.set(id, next);
      }
      const current = records.get(keyId.toLowerCase() as Hex);
      if (current && isOwnerRevoked(globals, keyId)) seen.push(effectiveKeyState({ record: current, ownerRevoked: true, now: Number.MAX_SAFE_INTEGER }));
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen)).toEqual(new Set(["revoked"]));
  });
});

// CONTRACT BUG (fails against registry v2 as committed; see the report): revoking a
// lineage's head frees its place even while the rotated-out predecessor is still valid
// in its overlap, so an owner capped at 1 holds any number of valid keys for up to
// maxOverlap (register A, rotate A -> B with the maximum overlap, revoke B, repeat).
// Suggested fix: when _revokeOrSkip revokes a head, also end its predecessor's running
// overlap (expiresAt = now and mark it superseded, as _endPredecessorOverlap does), or
// free the place only once no version of the lineage is valid.
describe("attack (e), follow-up: the cap bounds valid keys", () => {
  it("an owner capped at 1 cannot keep several valid keys by revoking fresh heads during their predecessors' overlap", async () => {
    const f = await load();
    await setPolicy(f, { maxKeysPerOwner: 1 });
    const olds: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await registerKey(f).catch(() => undefined);
      if (!a) break;
      const b = await makeNewKey(f, { owner: f.alice });
      await f.as(f.alice).write.rotate([a.keyId, b.args, defaultPolicy.maxOverlap]);
      await f.as(f.alice).write.revoke([b.key.keyId, "fresh head revoked"]);
      // Released at once (anyone may): the place is free again for the next round.
      await release(f, [b.key.keyId]);
      olds.push(a.keyId);
    }
    const valid = (await Promise.all(olds.map((id) => status(f, id)))).filter(([v]) => v).length;
    expect(valid, "valid keys of an owner capped at 1").toBeLessThanOrEqual(1);
  });
});
