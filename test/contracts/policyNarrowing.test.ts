// Issue 9: a narrowed policy reaches the keys registered before it. keyStatus judges
// every key against the CURRENT policy (algorithm, scope bits, lifetime) and says
// NotAllowed; widening the policy again makes the key valid again. A named scope bit
// can never be renamed or cleared (a rename would re-grant it to every holder).
import { network } from "hardhat";
import { describe, expect, it } from "vitest";
import { Alg, DAY, defaultPolicy, expectEvents, HOUR, type Policy, Reason, registerKey, type RegistryFixture, registryFixture, Scope } from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert } = viem.assertions;

async function narrow(f: RegistryFixture, change: Partial<Policy>) {
  await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, ...change }]);
}

describe("KeyRegistry: keys are judged against the current policy (issue 9)", () => {
  it("a banned algorithm makes existing keys NotAllowed; allowing it again restores them", async () => {
    const f = await load();
    const p256 = await registerKey(f, { alg: "ecdsa-p256-sha256" });
    const ed = await registerKey(f);
    await narrow(f, { allowedAlgorithms: 1 << Alg.Ed25519 });
    expect(await f.registry.read.keyStatus([p256.keyId, 0])).toEqual([false, Reason.NotAllowed]);
    expect(await f.registry.read.keyStatus([ed.keyId, 0])).toEqual([true, Reason.Valid]);
    await narrow(f, {});
    expect(await f.registry.read.keyStatus([p256.keyId, 0])).toEqual([true, Reason.Valid]);
  });

  it("a banned scope bit makes every key holding it NotAllowed, whatever scopes the request needs", async () => {
    const f = await load();
    const admin = await registerKey(f, { scopes: Scope.read | Scope.admin });
    const reader = await registerKey(f, { scopes: Scope.read });
    await narrow(f, { allowedScopes: Scope.read | Scope.trade | Scope.withdraw });
    expect(await f.registry.read.keyStatus([admin.keyId, Scope.admin])).toEqual([false, Reason.NotAllowed]);
    expect(await f.registry.read.keyStatus([admin.keyId, Scope.read])).toEqual([false, Reason.NotAllowed]);
    expect(await f.registry.read.keyStatus([reader.keyId, Scope.read])).toEqual([true, Reason.Valid]);
    await narrow(f, {});
    expect(await f.registry.read.keyStatus([admin.keyId, Scope.admin])).toEqual([true, Reason.Valid]);
  });

  it("a shorter maximum lifetime makes keys whose window is longer NotAllowed (the bound itself is allowed)", async () => {
    const f = await load();
    const now = await f.time.latest();
    const long = await registerKey(f, { notBefore: now, expiresAt: now + 60 * DAY });
    const short = await registerKey(f, { notBefore: now, expiresAt: now + 30 * DAY });
    await narrow(f, { maxLifetime: 30 * DAY, maxOverlap: HOUR });
    expect(await f.registry.read.keyStatus([long.keyId, 0])).toEqual([false, Reason.NotAllowed]);
    expect(await f.registry.read.keyStatus([short.keyId, 0])).toEqual([true, Reason.Valid]);
    await narrow(f, { maxLifetime: 30 * DAY - 1, maxOverlap: HOUR });
    expect(await f.registry.read.keyStatus([short.keyId, 0])).toEqual([false, Reason.NotAllowed]);
  });

  it("reason precedence: Revoked, Suspended, NotYetValid and Expired come before NotAllowed; NotAllowed before InsufficientScope", async () => {
    const f = await load();
    const now = await f.time.latest();
    const later = await registerKey(f, { scopes: Scope.admin, notBefore: now + DAY, expiresAt: now + 2 * DAY });
    const soon = await registerKey(f, { scopes: Scope.admin, notBefore: now, expiresAt: now + HOUR });
    const suspended = await registerKey(f, { scopes: Scope.admin });
    const revoked = await registerKey(f, { scopes: Scope.admin });
    const current = await registerKey(f, { scopes: Scope.admin });
    await f.as(f.guardian).write.suspend([suspended.keyId, "x"]);
    await f.as(f.alice).write.revoke([revoked.keyId, "x"]);
    await narrow(f, { allowedScopes: Scope.read });
    expect(await f.registry.read.keyStatus([later.keyId, 0])).toEqual([false, Reason.NotYetValid]);
    expect(await f.registry.read.keyStatus([suspended.keyId, 0])).toEqual([false, Reason.Suspended]);
    expect(await f.registry.read.keyStatus([revoked.keyId, 0])).toEqual([false, Reason.Revoked]);
    expect(await f.registry.read.keyStatus([current.keyId, Scope.read])).toEqual([false, Reason.NotAllowed]);
    await f.time.increaseTo(now + HOUR);
    expect(await f.registry.read.keyStatus([soon.keyId, 0])).toEqual([false, Reason.Expired]);
  });

  it("a rotation cut below a not-yet-valid key's notBefore does not make keyStatus revert", async () => {
    const f = await load();
    const now = await f.time.latest();
    const early = await registerKey(f, { notBefore: now + DAY, expiresAt: now + 2 * DAY });
    const { makeNewKey } = await import("./fixtures.ts");
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([early.keyId, next.args, 0]);
    await narrow(f, { maxLifetime: HOUR, maxOverlap: HOUR });
    expect(await f.registry.read.keyStatus([early.keyId, 0])).toEqual([false, Reason.NotYetValid]);
  });
});

describe("KeyRegistry: setScopeName never renames a named bit (issue 9)", () => {
  it("refuses renaming or clearing a named bit with ScopeAlreadyNamed(bit, current, requested)", async () => {
    const f = await load();
    await expectRevert(f.as(f.governance).write.setScopeName([3, "superuser"]), f.registry, "ScopeAlreadyNamed", [3, "admin", "superuser"]);
    await expectRevert(f.as(f.governance).write.setScopeName([3, ""]), f.registry, "ScopeAlreadyNamed", [3, "admin", ""]);
    expect(await f.registry.read.scopeName([3])).toBe("admin");
  });

  it("names a fresh bit once, and repeating the same name is a no-op that still emits (a queued proposal executes)", async () => {
    const f = await load();
    const hash = await f.as(f.governance).write.setScopeName([4, "audit"]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "ScopeNamed", args: { bit: 4, name: "audit" } }]);
    const again = await f.as(f.governance).write.setScopeName([4, "audit"]);
    await expectEvents(f.publicClient, f.registry, again, [{ eventName: "ScopeNamed", args: { bit: 4, name: "audit" } }]);
    await expectRevert(f.as(f.governance).write.setScopeName([4, "audit2"]), f.registry, "ScopeAlreadyNamed", [4, "audit", "audit2"]);
  });
});
