// Registry v2: the DAO's fast way to take a rogue guardian's power away. A guardian
// remover (the DAO's security-council multisig, appointed by proposal) removes a
// guardian at once, never appoints one; a guardian can renounce; nobody else can.
import { network } from "hardhat";
import { getAddress, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { expectEvents, KeyState, registerKey, registryFixture } from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;

describe("removing a guardian without a proposal cycle", () => {
  it("the guardian remover removes a rogue guardian at once; its suspension stays bounded; it can no longer suspend", async () => {
    const f = await load();
    const remover = f.stranger;
    const guardian = getAddress(f.guardian.account.address);
    expect(await f.registry.read.guardianRemover()).toBe(zeroAddress);
    await expectEvents(f.publicClient, f.registry, await f.as(f.governance).write.setGuardianRemover([remover.account.address]), [
      { eventName: "GuardianRemoverUpdated", args: { remover: remover.account.address } },
    ]);
    const victim = await registerKey(f);
    const other = await registerKey(f);
    await f.as(f.guardian).write.suspend([victim.keyId, "rogue"]);

    await expectEvents(f.publicClient, f.registry, await f.as(remover).write.removeGuardian([guardian]), [{ eventName: "GuardianUpdated", args: { guardian, enabled: false } }]);
    expect(await f.registry.read.isGuardian([guardian])).toBe(false);
    await expectRevert(f.as(f.guardian).write.suspend([other.keyId, "more"]), f.registry, "NotGuardian", [guardian]);
    // What it already did stays bounded and reversible by the DAO.
    expect((await f.registry.read.getKey([victim.keyId])).state).toBe(KeyState.Suspended);
    await f.as(f.governance).write.unsuspend([victim.keyId]);
    expect((await f.registry.read.getKey([victim.keyId])).state).toBe(KeyState.Active);
  });

  it("refuses anyone else, never appoints, and only governance names the remover", async () => {
    const f = await load();
    const guardian = getAddress(f.guardian.account.address);
    for (const caller of [f.alice, f.mallory]) {
      await expectRevert(f.as(caller).write.removeGuardian([guardian]), f.registry, "NotGuardianRemover", [getAddress(caller.account.address)]);
      await expectRevert(f.as(caller).write.setGuardianRemover([caller.account.address]), f.registry, "NotGovernance", [getAddress(caller.account.address)]);
    }
    await f.as(f.governance).write.setGuardianRemover([f.stranger.account.address]);
    // Removing someone who is not a guardian is an error, not an appointment or a silent no-op.
    await expectRevert(f.as(f.stranger).write.removeGuardian([f.alice.account.address]), f.registry, "NotGuardian", [getAddress(f.alice.account.address)]);
    expect(await f.registry.read.isGuardian([f.alice.account.address])).toBe(false);
    // Governance can take the role back.
    await f.as(f.governance).write.setGuardianRemover([zeroAddress]);
    await expectRevert(f.as(f.stranger).write.removeGuardian([guardian]), f.registry, "NotGuardianRemover", [getAddress(f.stranger.account.address)]);
  });

  it("a guardian can renounce, and governance can remove one directly", async () => {
    const f = await load();
    const guardian = getAddress(f.guardian.account.address);
    await expectEvents(f.publicClient, f.registry, await f.as(f.guardian).write.removeGuardian([guardian]), [{ eventName: "GuardianUpdated", args: { guardian, enabled: false } }]);
    await f.as(f.governance).write.setGuardian([f.bob.account.address, true]);
    await f.as(f.governance).write.removeGuardian([f.bob.account.address]);
    expect(await f.registry.read.isGuardian([f.bob.account.address])).toBe(false);
  });
});
