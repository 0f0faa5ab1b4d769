// Issue 9 (Registry v2) reproductions: each test failed against the previous
// contract and passes with the fix.
import { network } from "hardhat";
import { getAddress, type Hex, parseEventLogs, zeroAddress } from "viem";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { describe, expect, it } from "vitest";
import { expectEvents, KeyState, makeNewKey, registerKey, registryFixture, type WalletClient } from "./fixtures.ts";

const unknown = `0x${"ab".repeat(32)}` as Hex;

const connection = await network.create();
const { viem, networkHelpers } = connection;
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;
const address = (wallet: WalletClient) => getAddress(wallet.account.address);

const ff = "ff".repeat(30);
const z = "00".repeat(30);
/** The 8 canonical small-order encodings, then the non-canonical ones (y >= p, x = 0 with the sign bit). */
const unusable: Hex[] = [
  `0x01${z}00`,
  "0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  `0x00${z}80`,
  "0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  `0xec${ff}7f`,
  "0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  `0x00${z}00`,
  "0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  `0xed${ff}7f`, // y = p
  `0xee${ff}7f`,
  `0xff${ff}7f`,
  `0xed${ff}ff`, // y = p, sign bit set
  `0xff${ff}ff`,
  `0x01${z}80`, // y = 1, x = 0 with the sign bit
  `0xec${ff}ff`, // y = p - 1, x = 0 with the sign bit
];

describe("KeyRegistry v2: Ed25519 public keys", () => {
  it("refuses every small-order and non-canonical encoding with UnusableEd25519Key", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    for (const publicKey of unusable) {
      await expectRevert(f.as(f.alice).write.register([{ ...args, publicKey }, "bot"]), f.registry, "UnusableEd25519Key", [publicKey]);
    }
    // Neighbours of the bad encodings are accepted (the contract cannot afford the on-curve check).
    await f.as(f.alice).write.register([{ ...args, publicKey: `0xec${ff}7f`.replace(/^0xec/, "0xeb") as Hex }, "bot"]);
    await f.as(f.alice).write.register([args, "bot"]);
  });
});

describe("KeyRegistry v2: cancelling a governance transfer", () => {
  it("governance cancels a pending transfer with an event; the pending address can no longer accept", async () => {
    const f = await load();
    await f.as(f.governance).write.transferGovernance([f.bob.account.address]);
    await expectRevert(f.as(f.bob).write.cancelGovernanceTransfer(), f.registry, "NotGovernance", [f.bob.account.address]);
    const cancelled = await f.as(f.governance).write.cancelGovernanceTransfer();
    await expectEvents(f.publicClient, f.registry, cancelled, [
      { eventName: "GovernanceTransferCancelled", args: { governance: address(f.governance), cancelledGovernance: address(f.bob) } },
    ]);
    expect(await f.registry.read.pendingGovernance()).toBe(zeroAddress);
    await expectRevert(f.as(f.bob).write.acceptGovernance(), f.registry, "NotPendingGovernance", [f.bob.account.address, zeroAddress]);
    await expectRevert(f.as(f.governance).write.cancelGovernanceTransfer(), f.registry, "NoPendingGovernance", []);
  });
});

describe("KeyRegistry v2: governance and batch calls skip keys already in the target state", () => {
  it("unsuspendBatch lifts suspended keys and skips active, revoked and duplicate ones with KeySkipped", async () => {
    const f = await load();
    const ids: Hex[] = [];
    for (let i = 0; i < 4; i++) ids.push((await registerKey(f)).keyId);
    const [suspended, active, revoked, both] = ids as [Hex, Hex, Hex, Hex];
    await f.as(f.guardian).write.suspend([suspended, "leak"]);
    await f.as(f.guardian).write.suspend([both, "leak"]);
    await f.as(f.alice).write.revoke([revoked, "mine"]);
    await expectRevert(f.as(f.alice).write.unsuspendBatch([[suspended]]), f.registry, "NotGovernance", [f.alice.account.address]);
    await expectRevert(f.as(f.governance).write.unsuspendBatch([[]]), f.registry, "InvalidBatchSize", [0n]);
    const hash = await f.as(f.governance).write.unsuspendBatch([[suspended, active, revoked, both, suspended]]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyUnsuspended", args: { keyId: suspended, by: address(f.governance) } },
      { eventName: "KeySkipped", args: { keyId: active, state: KeyState.Active } },
      { eventName: "KeySkipped", args: { keyId: revoked, state: KeyState.Revoked } },
      { eventName: "KeyUnsuspended", args: { keyId: both, by: address(f.governance) } },
      { eventName: "KeySkipped", args: { keyId: suspended, state: KeyState.Active } },
    ]);
  });

  it("governanceRevokeBatch revokes live keys, skips revoked ones and duplicates, and reverts on unknown ids", async () => {
    const f = await load();
    const a = (await registerKey(f)).keyId;
    const b = (await registerKey(f, { owner: f.bob })).keyId;
    await f.as(f.bob).write.revoke([b, "mine"]);
    await expectRevert(f.as(f.alice).write.governanceRevokeBatch([[a], "x"]), f.registry, "NotGovernance", [f.alice.account.address]);
    await expectRevert(f.as(f.governance).write.governanceRevokeBatch([[a, unknown], "x"]), f.registry, "KeyNotFound", [unknown]);
    const hash = await f.as(f.governance).write.governanceRevokeBatch([[a, b, a], "proposal 9"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyRevoked", args: { keyId: a, by: address(f.governance), reason: "proposal 9" } },
      { eventName: "KeySkipped", args: { keyId: b, state: KeyState.Revoked } },
      { eventName: "KeySkipped", args: { keyId: a, state: KeyState.Revoked } },
    ]);
  });
});

describe("KeyRegistry v2: notBefore is bounded", () => {
  it("refuses a start more than 1 hour in the past or more than 30 days ahead, with the bound", async () => {
    const f = await load();
    expect(await f.registry.read.NOT_BEFORE_TOLERANCE()).toBe(3_600n);
    expect(await f.registry.read.MAX_NOT_BEFORE_DELAY()).toBe(30n * 86_400n);
    const t = (await f.time.latest()) + 1;
    // Before v2 a key could claim to have started a year ago, or to start in 50 years.
    const early = await makeNewKey(f, { owner: f.alice, notBefore: t - 3_601, expiresAt: t + 86_400 });
    await f.time.setNextBlockTimestamp(t);
    await expectRevert(f.as(f.alice).write.register([early.args, "bot"]), f.registry, "NotBeforeTooEarly", [t - 3_601, BigInt(t - 3_600)]);
    const late = await makeNewKey(f, { owner: f.alice, notBefore: t + 40 * 86_400, expiresAt: t + 41 * 86_400 });
    await viem.assertions.revertWithCustomError(f.as(f.alice).write.register([late.args, "bot"]), f.registry, "NotBeforeTooLate");
    // The bounds themselves are accepted.
    const t2 = (await f.time.latest()) + 1;
    await f.time.setNextBlockTimestamp(t2);
    await registerKey(f, { notBefore: t2 - 3_600, expiresAt: t2 + 86_400 });
    await f.time.setNextBlockTimestamp(t2 + 1);
    await registerKey(f, { notBefore: t2 + 1 + 30 * 86_400, expiresAt: t2 + 31 * 86_400 });
  });
});

describe("KeyRegistry v2: extendOverlap is capped", () => {
  it("a 1-day key can no longer be extended past its registered expiry", async () => {
    const f = await load();
    const now = await f.time.latest();
    const day = await registerKey(f, { notBefore: now, expiresAt: now + 86_400 });
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([day.keyId, next.args, 3_600]);
    // Before v2 the owner could stretch it to now + maxOverlap (7 days): a 1-day key living a week.
    const week = now + 7 * 86_400;
    await expectRevert(f.as(f.alice).write.extendOverlap([day.keyId, week]), f.registry, "ExtensionPastOriginalExpiry", [week, now + 86_400]);
    await expectRevert(f.as(f.alice).write.extendOverlap([day.keyId, now + 86_401]), f.registry, "ExtensionPastOriginalExpiry", [
      now + 86_401,
      now + 86_400,
    ]);
    await f.as(f.alice).write.extendOverlap([day.keyId, now + 86_400]);
    expect((await f.registry.read.getKey([day.keyId])).expiresAt).toBe(now + 86_400);
  });

  it("three versions of a lineage are never valid at once, and only the head's predecessor can be extended", async () => {
    const f = await load();
    const v1 = await registerKey(f);
    const v2 = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([v1.keyId, v2.args, 6 * 3_600]);
    const v3 = await makeNewKey(f, { owner: f.alice });
    // Rotating again inside v1's overlap: before v2, v1, v2 and v3 were all valid here.
    const t = (await f.time.latest()) + 1;
    await f.time.setNextBlockTimestamp(t);
    const hash = await f.as(f.alice).write.rotate([v2.key.keyId, v3.args, 3_600]);
    const [ended] = await eventsOf(f, hash);
    expect(ended).toEqual({ eventName: "OverlapEnded", args: { keyId: v1.keyId, expiresAt: t } });
    const valid = async () => Promise.all([v1.keyId, v2.key.keyId, v3.key.keyId].map(async (id) => (await f.registry.read.keyStatus([id, 0]))[0]));
    expect(await valid()).toEqual([false, true, true]);
    // v1 is two versions behind the head: it can never come back.
    await expectRevert(f.as(f.alice).write.extendOverlap([v1.keyId, t + 60]), f.registry, "KeySuperseded", [v1.keyId]);
    // v2, the head's predecessor, can be extended (roll-back), within its original expiry.
    await f.as(f.alice).write.extendOverlap([v2.key.keyId, t + 2 * 3_600]);
    expect(await valid()).toEqual([false, true, true]);
  });
});

async function eventsOf(f: Awaited<ReturnType<typeof load>>, hash: Hex) {
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  return parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs }).map(({ eventName, args }) => ({ eventName, args }));
}
