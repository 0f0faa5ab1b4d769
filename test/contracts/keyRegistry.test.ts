// KeyRegistry through its public interface: every operation with its exact events,
// every refusal with its exact custom error and arguments, and the time edges.
import { network } from "hardhat";
import { encodeAbiParameters, getAddress, type Hex, keccak256, toHex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithms, algorithmToChain, computeKeyId, generateKey, keyIdOwner, proofOfPossessionMessage } from "../../src/keys/index.ts";
import {
  Alg,
  DAY,
  defaultPolicy,
  defaultScopeNames,
  deployRegistry,
  eventsOf,
  expectEvents,
  HOUR,
  KeyState,
  makeNewKey,
  newKeyArgs,
  nextTimestamp,
  type Policy,
  rawPublicKey,
  Reason,
  registerKey,
  type RegistryFixture,
  registryFixture,
  Scope,
  verifyProof,
  type WalletClient,
} from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const load = () => networkHelpers.loadFixture(registryFixture);
const { revertWithCustomErrorWithArgs: expectRevert, revert: expectAnyRevert } = viem.assertions;

const address = (wallet: WalletClient) => getAddress(wallet.account.address);
const unknownId = keccak256(toHex("never registered"));
const proof64 = `0x${"ab".repeat(64)}` as const;

async function record(f: RegistryFixture, keyId: Hex) {
  return f.registry.read.getKey([keyId]);
}

async function status(f: RegistryFixture, keyId: Hex, requiredScopes = 0) {
  return f.registry.read.keyStatus([keyId, requiredScopes]);
}

describe("KeyRegistry: deployment", () => {
  it("sets governance, policy, scope names and guardians, each with its event", async () => {
    const f = await load();
    await expectEvents(f.publicClient, f.registry, f.deployHash, [
      { eventName: "GovernanceTransferred", args: { previousGovernance: zeroAddress, newGovernance: address(f.governance) } },
      { eventName: "PolicyUpdated", args: { ...defaultPolicy } },
      ...defaultScopeNames.map((name, bit) => ({ eventName: "ScopeNamed", args: { bit, name } })),
      { eventName: "GuardianUpdated", args: { guardian: address(f.guardian), enabled: true } },
    ]);
    expect(await f.registry.read.governance()).toBe(address(f.governance));
    expect(await f.registry.read.pendingGovernance()).toBe(zeroAddress);
    expect(await f.registry.read.policy()).toEqual(defaultPolicy);
    for (const [bit, name] of defaultScopeNames.entries()) expect(await f.registry.read.scopeName([bit])).toBe(name);
    expect(await f.registry.read.scopeName([4])).toBe("");
    expect(await f.registry.read.isGuardian([f.guardian.account.address])).toBe(true);
    expect(await f.registry.read.isGuardian([f.alice.account.address])).toBe(false);
  });

  it("refuses a zero governance, an invalid policy and bad scope names", async () => {
    const f = await load();
    const deploy = (args: [Hex, Policy, string[], Hex[]]) => viem.deployContract("KeyRegistry", args);
    const holder = { abi: keyRegistryAbi, address: zeroAddress };
    const gov = f.governance.account.address;
    await expectRevert(deploy([zeroAddress, defaultPolicy, [], []]), holder, "InvalidGovernance", [zeroAddress]);
    const zeroLifetime = { ...defaultPolicy, maxLifetime: 0, maxOverlap: 0 };
    await expectRevert(deploy([gov, zeroLifetime, [], []]), holder, "InvalidPolicy", [zeroLifetime]);
    const nine = Array.from({ length: 9 }, (_, i) => `s${i}`);
    await expectRevert(deploy([gov, defaultPolicy, nine, []]), holder, "InvalidScopeName", [9, ""]);
    const long = "x".repeat(33);
    await expectRevert(deploy([gov, defaultPolicy, ["read", long], []]), holder, "InvalidScopeName", [1, long]);
  });
});

describe("KeyRegistry: register", () => {
  for (const alg of algorithms) {
    it(`registers an ${alg} key with a real proof of possession: record, status and event`, async () => {
      const f = await load();
      const now = await f.time.latest();
      const key = await generateKey({ alg, label: "trading-bot" });
      const args = await newKeyArgs({
        key,
        registry: f.registry.address,
        chainId: f.chainId,
        owner: f.alice.account.address,
        scopes: Scope.read | Scope.trade,
        notBefore: now,
        expiresAt: now + 30 * DAY,
      });
      // A fresh key file carries the owner-free id; the registry namespaces it under the owner.
      expect(key.keyId).toBe(keccak256(args.publicKey));
      const keyId = computeKeyId({ publicKey: key.publicKey, owner: f.alice.account.address });
      expect(keyId).not.toBe(key.keyId);
      expect(keyIdOwner(keyId)).toBe(address(f.alice));
      expect(keyId.slice(42)).toBe(keccak256(`${f.alice.account.address}${args.publicKey.slice(2)}` as Hex).slice(-24));
      expect(await f.registry.read.computeKeyId([f.alice.account.address, args.publicKey])).toBe(keyId);
      const { result } = await f.as(f.alice).simulate.register([args, "trading-bot"], { account: f.alice.account.address });
      expect(result).toBe(keyId);

      const hash = await f.as(f.alice).write.register([args, "trading-bot"]);
      await expectEvents(f.publicClient, f.registry, hash, [
        {
          eventName: "KeyRegistered",
          args: {
            keyId: keyId,
            owner: address(f.alice),
            algorithm: algorithmToChain(alg),
            scopes: args.scopes,
            notBefore: args.notBefore,
            expiresAt: args.expiresAt,
            label: "trading-bot",
            publicKey: args.publicKey,
            proof: args.proof,
          },
        },
      ]);
      expect(await record(f, keyId)).toEqual({
        owner: address(f.alice),
        algorithm: algorithmToChain(alg),
        state: KeyState.Active,
        version: 1,
        scopes: args.scopes,
        notBefore: args.notBefore,
        expiresAt: args.expiresAt,
        rotated: false,
        suspendedUntil: 0,
      });
      expect(await status(f, keyId, Scope.read | Scope.trade)).toEqual([true, Reason.Valid]);
      // What a verifier does with the event before trusting the key.
      const message = await f.registry.read.proofOfPossessionMessage([f.alice.account.address, keyId]);
      expect(verifyProof({ key, message: Buffer.from(message.slice(2), "hex"), proof: args.proof })).toBe(true);
    });
  }

  it("accepts the bounds themselves: lifetime = max, a 64-byte label, notBefore backdated by the 1-hour tolerance", async () => {
    const f = await load();
    const t = await nextTimestamp(f);
    const { keyId } = await registerKey(f, {
      label: "x".repeat(64),
      notBefore: t - HOUR,
      expiresAt: t - HOUR + defaultPolicy.maxLifetime,
    });
    expect((await record(f, keyId)).state).toBe(KeyState.Active);
  });

  it("refuses a key id its owner already registered; another wallet's copy lands under that wallet's own id", async () => {
    const f = await load();
    const { keyId, args, label, key } = await registerKey(f);
    await expectRevert(f.as(f.alice).write.register([args, label]), f.registry, "KeyAlreadyRegistered", [keyId]);
    // Ids are namespaced per owner (v2): bob's copy of the same Ed25519 key never collides.
    const bobsId = computeKeyId({ publicKey: key.publicKey, owner: f.bob.account.address });
    const hash = await f.as(f.bob).write.register([args, label]);
    const [event] = await eventsOf(f.publicClient, hash);
    expect(event?.eventName === "KeyRegistered" && event.args.keyId).toBe(bobsId);
    expect(bobsId).not.toBe(keyId);
    expect((await record(f, keyId)).owner).toBe(address(f.alice));
    expect((await record(f, bobsId)).owner).toBe(address(f.bob));
  });

  it("never resurrects a revoked key id, neither by register nor by rotate", async () => {
    const f = await load();
    const revoked = await registerKey(f);
    await f.as(f.alice).write.revoke([revoked.keyId, "compromised"]);
    await expectRevert(f.as(f.alice).write.register([revoked.args, revoked.label]), f.registry, "KeyAlreadyRegistered", [
      revoked.keyId,
    ]);
    const live = await registerKey(f);
    await expectRevert(f.as(f.alice).write.rotate([live.keyId, revoked.args, HOUR]), f.registry, "KeyAlreadyRegistered", [
      revoked.keyId,
    ]);
    expect((await record(f, revoked.keyId)).state).toBe(KeyState.Revoked);
    expect((await record(f, live.keyId)).rotated).toBe(false);
  });

  it("refuses an empty, inverted or already expired validity window", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    const cases = [
      { notBefore: t + 100, expiresAt: t + 100 },
      { notBefore: t + 100, expiresAt: t + 50 },
      { notBefore: t - 100, expiresAt: t },
      { notBefore: t - 100, expiresAt: t - 1 },
    ];
    for (const window of cases) {
      await expectRevert(f.as(f.alice).write.register([{ ...args, ...window }, "bot"]), f.registry, "InvalidValidityWindow", [
        window.notBefore,
        window.expiresAt,
        BigInt(t),
      ]);
    }
  });

  it("refuses a lifetime longer than the policy's maximum", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    const lifetime = defaultPolicy.maxLifetime + 1;
    await expectRevert(
      f.as(f.alice).write.register([{ ...args, expiresAt: args.notBefore + lifetime }, "bot"]),
      f.registry,
      "LifetimeTooLong",
      [BigInt(lifetime), BigInt(defaultPolicy.maxLifetime)],
    );
  });

  it("refuses an algorithm the policy does not allow, and None", async () => {
    const f = await load();
    const { registry } = await deployRegistry({
      viem,
      governance: f.governance.account.address,
      policy: { ...defaultPolicy, allowedAlgorithms: 1 << Alg.Ed25519 },
    });
    const g = { ...f, registry };
    for (const alg of ["ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"] as const) {
      const { args } = await makeNewKey(g, { owner: f.alice, alg });
      await expectRevert(registry.write.register([args, "bot"], { account: f.alice.account }), registry, "AlgorithmNotAllowed", [
        algorithmToChain(alg),
      ]);
    }
    const { args } = await makeNewKey(g, { owner: f.alice });
    await expectRevert(registry.write.register([{ ...args, algorithm: Alg.None }, "bot"]), registry, "AlgorithmNotAllowed", [Alg.None]);
    // Out of the enum's range: the ABI decoder refuses the call before any check.
    await expectAnyRevert(registry.write.register([{ ...args, algorithm: 4 }, "bot"]));
  });

  it("refuses a public key of the wrong length or SEC1 prefix for its algorithm", async () => {
    const f = await load();
    const ed = (await makeNewKey(f, { owner: f.alice })).args;
    const p256 = (await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256" })).args;
    const k1 = (await makeNewKey(f, { owner: f.alice, alg: "ecdsa-secp256k1-sha256" })).args;
    const cases: [typeof ed, Hex][] = [
      [ed, `${ed.publicKey}00`], // 33 bytes
      [ed, ed.publicKey.slice(0, -2) as Hex], // 31 bytes
      [ed, "0x"],
      [p256, `0x${p256.publicKey.slice(4)}`], // x without prefix: 32 bytes
      [p256, `0x04${p256.publicKey.slice(4)}`], // uncompressed prefix, compressed length
      [k1, `0x00${k1.publicKey.slice(4)}`],
      [k1, `${k1.publicKey}${k1.publicKey.slice(4)}`], // 65 bytes
      [ed, `0x02${ed.publicKey.slice(2)}`], // an ECDSA-shaped key claimed as Ed25519
    ];
    for (const [args, publicKey] of cases) {
      await expectRevert(f.as(f.alice).write.register([{ ...args, publicKey }, "bot"]), f.registry, "InvalidPublicKey", [
        args.algorithm,
        publicKey,
      ]);
    }
    // An Ed25519 key claimed as P-256 (32 bytes) is refused too.
    await expectRevert(
      f.as(f.alice).write.register([{ ...ed, algorithm: Alg.EcdsaP256 }, "bot"]),
      f.registry,
      "InvalidPublicKey",
      [Alg.EcdsaP256, ed.publicKey],
    );
  });

  it("refuses a missing proof of possession or one that is not 64 bytes", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    for (const proof of ["0x", `0x${"ab".repeat(63)}`, `0x${"ab".repeat(65)}`, `${args.proof}${args.proof.slice(2)}`] as Hex[]) {
      await expectRevert(f.as(f.alice).write.register([{ ...args, proof }, "bot"]), f.registry, "InvalidProofLength", [
        BigInt((proof.length - 2) / 2),
      ]);
    }
  });

  it("refuses a scope bit the policy does not allow", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    for (const scopes of [0x10, 0x80, 0xff, Scope.read | 0x20]) {
      await expectRevert(f.as(f.alice).write.register([{ ...args, scopes }, "bot"]), f.registry, "ScopesNotAllowed", [
        scopes,
        defaultPolicy.allowedScopes,
      ]);
    }
  });

  it("refuses an empty label or one longer than 64 bytes (UTF-8 bytes, not characters)", async () => {
    const f = await load();
    const { args } = await makeNewKey(f, { owner: f.alice });
    for (const label of ["", "x".repeat(65), "€".repeat(22)]) {
      await expectRevert(f.as(f.alice).write.register([args, label]), f.registry, "InvalidLabel", [label]);
    }
  });
});

describe("KeyRegistry: proof of possession", () => {
  it("proofOfPossessionMessage is byte for byte the message src/keys signs", async () => {
    const f = await load();
    for (const owner of [f.alice, f.mallory]) {
      for (const keyId of [unknownId, keccak256("0x01")]) {
        const onChain = await f.registry.read.proofOfPossessionMessage([owner.account.address, keyId]);
        const offChain = proofOfPossessionMessage({ chainId: f.chainId, registry: f.registry.address, owner: owner.account.address, keyId });
        expect(onChain).toBe(toHex(offChain));
        expect(offChain).toHaveLength(136);
      }
    }
  });

  // Registry v2: a stolen public key gains a thief nothing. Ids are namespaced per
  // owner, so the thief's registration lands under the thief's own id and never blocks
  // or claims the victim's; the proof signs (chainId, registry, owner, keyId), so it
  // holds only for the wallet that holds the key. ECDSA proofs (P-256, secp256k1) are
  // checked on chain (InvalidProof); Ed25519 proofs are only length-checked and
  // emitted, and every verifier checks them off-chain against the event's owner
  // (ResolvedKey.proofOfPossession = "invalid"). attacksV2.test.ts has the full attacks.
  for (const alg of algorithms) {
    it(`${alg}: a thief's registration of a victim's public key carries no proof that verifies and takes nothing from the victim`, async () => {
      const f = await load();
      const victim = f.alice;
      const thief = f.mallory;
      const now = await f.time.latest();
      const key = await generateKey({ alg, label: "victim-bot" });
      const victimId = computeKeyId({ publicKey: key.publicKey, owner: victim.account.address });
      const thiefId = computeKeyId({ publicKey: key.publicKey, owner: thief.account.address });
      expect(thiefId).not.toBe(victimId);
      const victimArgs = await newKeyArgs({
        key,
        registry: f.registry.address,
        chainId: f.chainId,
        owner: victim.account.address,
        scopes: Scope.read,
        notBefore: now,
        expiresAt: now + DAY,
      });
      const messageFor = (owner: WalletClient, keyId: Hex, registry = f.registry.address) =>
        proofOfPossessionMessage({ chainId: f.chainId, registry, owner: owner.account.address, keyId });

      // The victim's proof holds for the victim only: not for the thief, not on another registry.
      expect(verifyProof({ key, message: messageFor(victim, victimId), proof: victimArgs.proof })).toBe(true);
      expect(verifyProof({ key, message: messageFor(thief, thiefId), proof: victimArgs.proof })).toBe(false);
      expect(verifyProof({ key, message: messageFor(victim, victimId, f.mallory.account.address), proof: victimArgs.proof })).toBe(false);
      // Any other 64 bytes the thief can produce fail too: random bytes, or a
      // signature by a key the thief does own over the thief's message.
      expect(verifyProof({ key, message: messageFor(thief, thiefId), proof: proof64 })).toBe(false);
      const own = await generateKey({ alg, label: "thief" });
      const ownArgs = await newKeyArgs({ ...victimArgs, key: own, registry: f.registry.address, chainId: f.chainId, owner: thief.account.address });
      expect(verifyProof({ key, message: messageFor(thief, thiefId), proof: ownArgs.proof })).toBe(false);

      // The thief replays the victim's genuine proof.
      if (alg === "ed25519") {
        // The chain accepts the shape, under the thief's own id...
        const hash = await f.as(thief).write.register([victimArgs, "stolen"]);
        const [event] = await eventsOf(f.publicClient, hash);
        expect(event?.eventName).toBe("KeyRegistered");
        if (event?.eventName !== "KeyRegistered") return;
        expect(event.args.keyId).toBe(thiefId);
        expect(getAddress(event.args.owner)).toBe(address(thief));
        // ...whose proof verifiers refuse.
        expect(verifyProof({ key, message: messageFor(thief, thiefId), proof: event.args.proof })).toBe(false);
      } else {
        // Refused on chain.
        await expectRevert(f.as(thief).write.register([victimArgs, "stolen"]), f.registry, "InvalidProof", [thiefId]);
        await expectRevert(f.as(thief).write.register([{ ...victimArgs, proof: proof64 }, "stolen"]), f.registry, "InvalidProof", [thiefId]);
        await expectRevert(f.as(thief).write.register([{ ...victimArgs, proof: ownArgs.proof }, "stolen"]), f.registry, "InvalidProof", [thiefId]);
        expect((await record(f, thiefId)).state).toBe(KeyState.Unknown);
      }

      // The victim registers the key with its own id, whatever the thief did.
      const hash = await f.as(victim).write.register([victimArgs, "victim-bot"]);
      const [event] = await eventsOf(f.publicClient, hash);
      expect(event?.eventName === "KeyRegistered" && event.args.keyId).toBe(victimId);
      expect(await record(f, victimId)).toMatchObject({ owner: address(victim), state: KeyState.Active });
      expect(await status(f, victimId, Scope.read)).toEqual([true, Reason.Valid]);
    });
  }
});

describe("KeyRegistry: rotate", () => {
  it("makes the new key version + 1 and cuts the old expiry to now + overlap", async () => {
    const f = await load();
    const old = await registerKey(f, { scopes: Scope.read });
    const next = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256", scopes: Scope.read | Scope.trade });
    const t = await nextTimestamp(f);
    const hash = await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    await expectEvents(f.publicClient, f.registry, hash, [
      {
        eventName: "KeyRotated",
        args: {
          oldKeyId: old.keyId,
          newKeyId: next.key.keyId,
          owner: address(f.alice),
          by: address(f.alice),
          version: 2,
          algorithm: Alg.EcdsaP256,
          scopes: next.args.scopes,
          notBefore: next.args.notBefore,
          expiresAt: next.args.expiresAt,
          oldExpiresAt: t + HOUR,
          publicKey: next.args.publicKey,
          proof: next.args.proof,
        },
      },
    ]);
    expect(await record(f, old.keyId)).toEqual({ ...expectedRecord(f, old), expiresAt: t + HOUR, rotated: true });
    expect(await record(f, next.key.keyId)).toEqual({
      owner: address(f.alice),
      algorithm: Alg.EcdsaP256,
      state: KeyState.Active,
      version: 2,
      scopes: next.args.scopes,
      notBefore: next.args.notBefore,
      expiresAt: next.args.expiresAt,
      rotated: false,
      suspendedUntil: 0,
    });

    // The lineage goes on one version at a time.
    const third = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-secp256k1-sha256" });
    const t3 = await nextTimestamp(f);
    const hash3 = await f.as(f.alice).write.rotate([next.key.keyId, third.args, 0]);
    // Version 1's overlap was still running: it ends now, so only two versions are ever valid.
    const [ended, event] = await eventsOf(f.publicClient, hash3);
    expect(ended?.eventName === "OverlapEnded" && ended.args).toEqual({ keyId: old.keyId, expiresAt: t3 });
    expect(event?.eventName === "KeyRotated" && event.args.version).toBe(3);
    expect((await record(f, third.key.keyId)).version).toBe(3);
  });

  it("keeps the old expiry when it comes before now + overlap", async () => {
    const f = await load();
    const now = await f.time.latest();
    const old = await registerKey(f, { notBefore: now, expiresAt: now + 2 * HOUR });
    const next = await makeNewKey(f, { owner: f.alice });
    const hash = await f.as(f.alice).write.rotate([old.keyId, next.args, defaultPolicy.maxOverlap]);
    const [event] = await eventsOf(f.publicClient, hash);
    expect(event?.eventName === "KeyRotated" && event.args.oldExpiresAt).toBe(now + 2 * HOUR);
    expect((await record(f, old.keyId)).expiresAt).toBe(now + 2 * HOUR);
  });

  it("keeps the old expiry when now + overlap does not fit in uint32 (permissive policy)", async () => {
    const f = await load();
    const max = 2 ** 32 - 1;
    await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, maxLifetime: max, maxOverlap: max }]);
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([old.keyId, next.args, max]);
    expect(await record(f, old.keyId)).toMatchObject({ expiresAt: old.args.expiresAt, rotated: true });
  });

  it("accepts the maximum overlap and refuses one second more", async () => {
    const f = await load();
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    const max = defaultPolicy.maxOverlap;
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, next.args, max + 1]), f.registry, "OverlapTooLong", [
      BigInt(max + 1),
      BigInt(max),
    ]);
    const t = await nextTimestamp(f);
    await f.as(f.alice).write.rotate([old.keyId, next.args, max]);
    expect((await record(f, old.keyId)).expiresAt).toBe(t + max);
  });

  it("refuses a new key that starts after the old one stops (a gap), and accepts one that starts exactly then", async () => {
    const f = await load();
    const old = await registerKey(f);
    const t = await nextTimestamp(f);
    const late = await makeNewKey(f, { owner: f.alice, notBefore: t + HOUR + 1, expiresAt: t + 10 * DAY });
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, late.args, HOUR]), f.registry, "RotationGap", [t + HOUR + 1, t + HOUR]);
    const onTime = await makeNewKey(f, { owner: f.alice, notBefore: t + HOUR, expiresAt: t + 10 * DAY });
    await f.time.setNextBlockTimestamp(t);
    await f.as(f.alice).write.rotate([old.keyId, onTime.args, HOUR]);
    expect((await record(f, onTime.key.keyId)).notBefore).toBe(t + HOUR);
  });

  it("refuses a second rotation of the same key", async () => {
    const f = await load();
    const old = await registerKey(f);
    await f.as(f.alice).write.rotate([old.keyId, (await makeNewKey(f, { owner: f.alice })).args, HOUR]);
    const again = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, again.args, HOUR]), f.registry, "KeyAlreadyRotated", [old.keyId]);
  });

  it("refuses a caller who is not the owner, and an unknown key", async () => {
    const f = await load();
    const old = await registerKey(f);
    for (const caller of [f.bob, f.governance, f.guardian]) {
      const next = await makeNewKey(f, { owner: caller });
      await expectRevert(f.as(caller).write.rotate([old.keyId, next.args, HOUR]), f.registry, "NotKeyOwner", [
        old.keyId,
        caller.account.address,
        f.alice.account.address,
      ]);
    }
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.rotate([unknownId, next.args, HOUR]), f.registry, "KeyNotFound", [unknownId]);
  });

  it("refuses a revoked key", async () => {
    const f = await load();
    const revoked = await registerKey(f);
    await f.as(f.alice).write.revoke([revoked.keyId, "lost"]);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.rotate([revoked.keyId, next.args, HOUR]), f.registry, "InvalidKeyState", [
      revoked.keyId,
      KeyState.Revoked,
    ]);
  });

  it("rotates a suspended key (v2: the owner's escape from a guardian); the old key stays suspended", async () => {
    const f = await load();
    const suspended = await registerKey(f);
    await f.as(f.guardian).write.suspend([suspended.keyId, "leak"]);
    const next = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    await f.as(f.alice).write.rotate([suspended.keyId, next.args, HOUR]);
    expect(await record(f, suspended.keyId)).toMatchObject({ state: KeyState.Suspended, rotated: true, expiresAt: t + HOUR });
    expect(await status(f, suspended.keyId)).toEqual([false, Reason.Suspended]);
    expect(await record(f, next.key.keyId)).toMatchObject({ state: KeyState.Active, version: 2, suspendedUntil: 0 });
    expect(await status(f, next.key.keyId)).toEqual([true, Reason.Valid]);
  });

  it("validates the new key like register, and leaves the old key untouched when it fails", async () => {
    const f = await load();
    const old = await registerKey(f);
    const before = await record(f, old.keyId);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, { ...next.args, proof: "0x" }, HOUR]), f.registry, "InvalidProofLength", [0n]);
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, old.args, HOUR]), f.registry, "KeyAlreadyRegistered", [old.keyId]);
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, { ...next.args, scopes: 0x10 }, HOUR]), f.registry, "ScopesNotAllowed", [
      0x10,
      defaultPolicy.allowedScopes,
    ]);
    const tooLong = { ...next.args, expiresAt: next.args.notBefore + defaultPolicy.maxLifetime + 1 };
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, tooLong, HOUR]), f.registry, "LifetimeTooLong", [
      BigInt(defaultPolicy.maxLifetime + 1),
      BigInt(defaultPolicy.maxLifetime),
    ]);
    expect(await record(f, old.keyId)).toEqual(before);
  });

  it("refuses to overflow the version counter", async () => {
    const f = await load();
    const old = await registerKey(f);
    // 65,535 rotations are out of reach of a test; set the version field of the
    // packed record (StoredKey: notBefore 0..31, expiresAt 32..63, originalExpiresAt
    // 64..95, suspendedUntil 96..127, version 128..143; mapping at slot 2, after
    // OpenZeppelin EIP712's two) instead.
    const slot = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [old.keyId, 2n]));
    const value = BigInt((await f.publicClient.getStorageAt({ address: f.registry.address, slot })) ?? "0x0");
    await networkHelpers.setStorageAt(f.registry.address, slot, value | (0xffffn << 128n));
    expect((await record(f, old.keyId)).version).toBe(0xffff);
    const next = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]), f.registry, "VersionOverflow", [old.keyId]);
  });
});

describe("KeyRegistry: validity window edges (time travel)", () => {
  it("is NotYetValid before notBefore, valid from notBefore to expiresAt - 1, Expired at expiresAt", async () => {
    const f = await load();
    const t = await nextTimestamp(f);
    const { keyId } = await registerKey(f, { notBefore: t + 100, expiresAt: t + 200 });
    expect(await status(f, keyId)).toEqual([false, Reason.NotYetValid]);
    await f.time.increaseTo(t + 99);
    expect(await status(f, keyId)).toEqual([false, Reason.NotYetValid]);
    await f.time.increaseTo(t + 100);
    expect(await status(f, keyId)).toEqual([true, Reason.Valid]);
    await f.time.increaseTo(t + 199);
    expect(await status(f, keyId)).toEqual([true, Reason.Valid]);
    await f.time.increaseTo(t + 200);
    expect(await status(f, keyId)).toEqual([false, Reason.Expired]);
  });

  it("keeps both keys valid during the overlap; the old one stops exactly at its cut expiry", async () => {
    const f = await load();
    const old = await registerKey(f);
    const t = await nextTimestamp(f);
    const next = await makeNewKey(f, { owner: f.alice, notBefore: t, expiresAt: t + 30 * DAY });
    await f.time.setNextBlockTimestamp(t);
    await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    expect(await status(f, old.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    expect(await status(f, next.key.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    await f.time.increaseTo(t + HOUR - 1);
    expect(await status(f, old.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    expect(await status(f, next.key.keyId, Scope.read)).toEqual([true, Reason.Valid]);
    await f.time.increaseTo(t + HOUR);
    expect(await status(f, old.keyId, Scope.read)).toEqual([false, Reason.Expired]);
    expect(await status(f, next.key.keyId, Scope.read)).toEqual([true, Reason.Valid]);
  });

  it("a rotation with overlap 0 ends the old key in the rotation's own block", async () => {
    const f = await load();
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    await f.as(f.alice).write.rotate([old.keyId, next.args, 0]);
    expect((await record(f, old.keyId)).expiresAt).toBe(t);
    expect(await status(f, old.keyId)).toEqual([false, Reason.Expired]);
    expect(await status(f, next.key.keyId)).toEqual([true, Reason.Valid]);
  });
});

describe("KeyRegistry: extendOverlap", () => {
  async function rotated(f: RegistryFixture, overlap = HOUR) {
    const old = await registerKey(f);
    const next = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    await f.as(f.alice).write.rotate([old.keyId, next.args, overlap]);
    return { old, next, cut: t + overlap };
  }

  it("moves a rotated key's expiry later, also after it expired (the roll-back path)", async () => {
    const f = await load();
    const { old, cut } = await rotated(f);
    await f.time.increaseTo(cut);
    expect(await status(f, old.keyId)).toEqual([false, Reason.Expired]);
    const hash = await f.as(f.alice).write.extendOverlap([old.keyId, cut + DAY]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "OverlapExtended", args: { keyId: old.keyId, expiresAt: cut + DAY } }]);
    expect(await record(f, old.keyId)).toMatchObject({ expiresAt: cut + DAY, rotated: true, state: KeyState.Active });
    expect(await status(f, old.keyId)).toEqual([true, Reason.Valid]);
  });

  it("applies only to rotated keys", async () => {
    const f = await load();
    const { keyId, args } = await registerKey(f);
    await expectRevert(f.as(f.alice).write.extendOverlap([keyId, args.expiresAt + 1]), f.registry, "KeyNotRotated", [keyId]);
  });

  it("only moves the expiry later", async () => {
    const f = await load();
    const { old, cut } = await rotated(f);
    for (const expiresAt of [cut, cut - 1]) {
      await expectRevert(f.as(f.alice).write.extendOverlap([old.keyId, expiresAt]), f.registry, "ExpiryNotExtended", [cut, expiresAt]);
    }
  });

  it("is bounded by now + the maximum overlap (accepted exactly at the bound)", async () => {
    const f = await load();
    const { old } = await rotated(f);
    const max = defaultPolicy.maxOverlap;
    const t = await nextTimestamp(f);
    await expectRevert(f.as(f.alice).write.extendOverlap([old.keyId, t + max + 1]), f.registry, "OverlapTooLong", [
      BigInt(max + 1),
      BigInt(max),
    ]);
    await f.as(f.alice).write.extendOverlap([old.keyId, t + max]);
    expect((await record(f, old.keyId)).expiresAt).toBe(t + max);
  });

  it("is bounded by the policy's maximum lifetime from the key's notBefore", async () => {
    const f = await load();
    const now = await f.time.latest();
    // A key that started 89 days ago may live one more day at most.
    const notBefore = now;
    const old = await registerKey(f, { notBefore, expiresAt: notBefore + defaultPolicy.maxLifetime });
    await f.time.increase(89 * DAY);
    const next = await makeNewKey(f, { owner: f.alice });
    await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    // Its registered expiry caps the extension first (registry v2) ...
    const expiresAt = notBefore + defaultPolicy.maxLifetime + 1;
    await expectRevert(f.as(f.alice).write.extendOverlap([old.keyId, expiresAt]), f.registry, "ExtensionPastOriginalExpiry", [
      expiresAt,
      expiresAt - 1,
    ]);
    // ... and a policy narrowed since then still bounds it.
    await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, maxLifetime: 89 * DAY + 2 * HOUR }]);
    await expectRevert(f.as(f.alice).write.extendOverlap([old.keyId, expiresAt - 1]), f.registry, "LifetimeTooLong", [
      BigInt(defaultPolicy.maxLifetime),
      BigInt(89 * DAY + 2 * HOUR),
    ]);
    await f.as(f.alice).write.extendOverlap([old.keyId, notBefore + 89 * DAY + 2 * HOUR]);
  });

  it("refuses an extension that still ends before a not-yet-valid key's notBefore (no empty window)", async () => {
    const f = await load();
    const now = await f.time.latest();
    const notBefore = now + 2 * DAY;
    const old = await registerKey(f, { notBefore, expiresAt: notBefore + 10 * DAY });
    const next = await makeNewKey(f, { owner: f.alice });
    const t = await nextTimestamp(f);
    await f.as(f.alice).write.rotate([old.keyId, next.args, HOUR]);
    expect((await record(f, old.keyId)).expiresAt).toBe(t + HOUR);
    const t2 = await nextTimestamp(f);
    for (const expiresAt of [t + 2 * HOUR, notBefore]) {
      await expectRevert(f.as(f.alice).write.extendOverlap([old.keyId, expiresAt]), f.registry, "InvalidValidityWindow", [
        notBefore,
        expiresAt,
        BigInt(t2),
      ]);
    }
    await f.as(f.alice).write.extendOverlap([old.keyId, notBefore + HOUR]);
    expect((await record(f, old.keyId)).expiresAt).toBe(notBefore + HOUR);
  });

  it("refuses a revoked or suspended key, a caller who is not the owner, and an unknown key", async () => {
    const f = await load();
    const a = await rotated(f);
    const b = await rotated(f);
    await f.as(f.alice).write.revoke([a.old.keyId, "done"]);
    await f.as(f.guardian).write.suspend([b.old.keyId, "leak"]);
    await expectRevert(f.as(f.alice).write.extendOverlap([a.old.keyId, a.cut + HOUR]), f.registry, "InvalidKeyState", [
      a.old.keyId,
      KeyState.Revoked,
    ]);
    await expectRevert(f.as(f.alice).write.extendOverlap([b.old.keyId, b.cut + HOUR]), f.registry, "InvalidKeyState", [
      b.old.keyId,
      KeyState.Suspended,
    ]);
    const c = await rotated(f);
    await expectRevert(f.as(f.bob).write.extendOverlap([c.old.keyId, c.cut + HOUR]), f.registry, "NotKeyOwner", [
      c.old.keyId,
      f.bob.account.address,
      f.alice.account.address,
    ]);
    await expectRevert(f.as(f.alice).write.extendOverlap([unknownId, c.cut]), f.registry, "KeyNotFound", [unknownId]);
  });
});

describe("KeyRegistry: revoke and revokeBatch", () => {
  it("the owner revokes at once and for good", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const hash = await f.as(f.alice).write.revoke([keyId, "laptop stolen"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyRevoked", args: { keyId, by: address(f.alice), reason: "laptop stolen" } },
    ]);
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    expect(await status(f, keyId)).toEqual([false, Reason.Revoked]);
    // Final: nothing brings it back or moves it.
    await expectRevert(f.as(f.alice).write.revoke([keyId, "again"]), f.registry, "InvalidKeyState", [keyId, KeyState.Revoked]);
    await expectRevert(f.as(f.guardian).write.suspend([keyId, "x"]), f.registry, "InvalidKeyState", [keyId, KeyState.Revoked]);
    // Governance calls skip it (a queued proposal must not brick), and change nothing.
    for (const send of [() => f.as(f.governance).write.unsuspend([keyId]), () => f.as(f.governance).write.governanceRevoke([keyId, "x"])]) {
      await expectEvents(f.publicClient, f.registry, await send(), [{ eventName: "KeySkipped", args: { keyId, state: KeyState.Revoked } }]);
    }
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
  });

  it("the owner may revoke a suspended key (stricter, never a way out of the suspension)", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    await f.as(f.guardian).write.suspend([keyId, "leak"]);
    await f.as(f.alice).write.revoke([keyId, "agreed"]);
    expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
  });

  it("refuses anyone but the owner (governance and guardians have their own paths), and unknown keys", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    for (const caller of [f.bob, f.governance, f.guardian]) {
      await expectRevert(f.as(caller).write.revoke([keyId, "x"]), f.registry, "NotKeyOwner", [
        keyId,
        caller.account.address,
        f.alice.account.address,
      ]);
    }
    await expectRevert(f.as(f.alice).write.revoke([unknownId, "x"]), f.registry, "KeyNotFound", [unknownId]);
    expect((await record(f, keyId)).state).toBe(KeyState.Active);
  });

  it("revokeBatch revokes every key in the list with one event each, in order", async () => {
    const f = await load();
    const keys = [await registerKey(f), await registerKey(f, { alg: "ecdsa-p256-sha256" }), await registerKey(f, { alg: "ecdsa-secp256k1-sha256" })];
    const hash = await f.as(f.alice).write.revokeBatch([keys.map((k) => k.keyId), "incident 42"]);
    await expectEvents(
      f.publicClient,
      f.registry,
      hash,
      keys.map(({ keyId }) => ({ eventName: "KeyRevoked", args: { keyId, by: address(f.alice), reason: "incident 42" } })),
    );
    for (const { keyId } of keys) expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
  });

  it("revokeBatch takes 1..MAX_BATCH (256) keys", async () => {
    const f = await load();
    expect(await f.registry.read.MAX_BATCH()).toBe(256n);
    await expectRevert(f.as(f.alice).write.revokeBatch([[], "x"]), f.registry, "InvalidBatchSize", [0n]);
    await expectRevert(f.as(f.alice).write.revokeBatch([Array(257).fill(unknownId), "x"]), f.registry, "InvalidBatchSize", [257n]);
    const ids: Hex[] = [];
    for (let i = 0; i < 256; i++) ids.push((await registerKey(f)).keyId);
    const hash = await f.as(f.alice).write.revokeBatch([ids, "rotate everything"]);
    expect(await eventsOf(f.publicClient, hash)).toHaveLength(256);
    expect((await record(f, ids[255]!)).state).toBe(KeyState.Revoked);
  });

  it("revokeBatch is atomic for ids the caller may not revoke; revoked keys and duplicates are skipped", async () => {
    const f = await load();
    const mine = [await registerKey(f), await registerKey(f)].map((k) => k.keyId);
    const bobs = (await registerKey(f, { owner: f.bob })).keyId;
    const revoked = (await registerKey(f)).keyId;
    await f.as(f.alice).write.revoke([revoked, "old"]);
    const [a, b] = mine as [Hex, Hex];
    await expectRevert(f.as(f.alice).write.revokeBatch([[a, bobs, b], "x"]), f.registry, "NotKeyOwner", [
      bobs,
      f.alice.account.address,
      f.bob.account.address,
    ]);
    await expectRevert(f.as(f.alice).write.revokeBatch([[a, b, unknownId], "x"]), f.registry, "KeyNotFound", [unknownId]);
    for (const keyId of [a, b, bobs]) expect((await record(f, keyId)).state).toBe(KeyState.Active);
    const hash = await f.as(f.alice).write.revokeBatch([[a, revoked, b, a], "x"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeyRevoked", args: { keyId: a, by: address(f.alice), reason: "x" } },
      { eventName: "KeySkipped", args: { keyId: revoked, state: KeyState.Revoked } },
      { eventName: "KeyRevoked", args: { keyId: b, by: address(f.alice), reason: "x" } },
      { eventName: "KeySkipped", args: { keyId: a, state: KeyState.Revoked } },
    ]);
    expect((await record(f, bobs)).state).toBe(KeyState.Active);
  });
});

describe("KeyRegistry: guardians and suspension", () => {
  it("a guardian suspends an active key at once", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const t = await nextTimestamp(f);
    const until = t + defaultPolicy.maxSuspension;
    const hash = await f.as(f.guardian).write.suspend([keyId, "key seen on pastebin"]);
    await expectEvents(f.publicClient, f.registry, hash, [
      { eventName: "KeySuspended", args: { keyId, guardian: address(f.guardian), reason: "key seen on pastebin", until } },
    ]);
    expect(await record(f, keyId)).toMatchObject({ state: KeyState.Suspended, suspendedUntil: until });
    expect(await status(f, keyId)).toEqual([false, Reason.Suspended]);
  });

  it("only guardians suspend, and only active keys", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    for (const caller of [f.alice, f.bob, f.governance]) {
      await expectRevert(f.as(caller).write.suspend([keyId, "x"]), f.registry, "NotGuardian", [caller.account.address]);
    }
    await expectRevert(f.as(f.guardian).write.suspend([unknownId, "x"]), f.registry, "KeyNotFound", [unknownId]);
    await f.as(f.guardian).write.suspend([keyId, "x"]);
    await expectRevert(f.as(f.guardian).write.suspend([keyId, "x"]), f.registry, "InvalidKeyState", [keyId, KeyState.Suspended]);
  });

  it("neither the owner nor the guardian can lift a suspension; only governance can", async () => {
    const f = await load();
    const { keyId, args } = await registerKey(f);
    await f.as(f.guardian).write.suspend([keyId, "x"]);
    for (const caller of [f.alice, f.guardian]) {
      await expectRevert(f.as(caller).write.unsuspend([keyId]), f.registry, "NotGovernance", [caller.account.address]);
    }
    // Nor can the owner lift it by registering the key again; rotating away (v2) moves
    // to a new key and leaves this one suspended.
    await expectRevert(f.as(f.alice).write.register([args, "again"]), f.registry, "KeyAlreadyRegistered", [keyId]);
    expect((await record(f, keyId)).state).toBe(KeyState.Suspended);

    const hash = await f.as(f.governance).write.unsuspend([keyId]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "KeyUnsuspended", args: { keyId, by: address(f.governance) } }]);
    expect((await record(f, keyId)).state).toBe(KeyState.Active);
    expect(await status(f, keyId)).toEqual([true, Reason.Valid]);
    const again = await f.as(f.governance).write.unsuspend([keyId]);
    await expectEvents(f.publicClient, f.registry, again, [{ eventName: "KeySkipped", args: { keyId, state: KeyState.Active } }]);
    await expectRevert(f.as(f.governance).write.unsuspend([unknownId]), f.registry, "KeyNotFound", [unknownId]);
  });

  it("a removed guardian can no longer suspend", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const hash = await f.as(f.governance).write.setGuardian([f.guardian.account.address, false]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "GuardianUpdated", args: { guardian: address(f.guardian), enabled: false } }]);
    expect(await f.registry.read.isGuardian([f.guardian.account.address])).toBe(false);
    await expectRevert(f.as(f.guardian).write.suspend([keyId, "x"]), f.registry, "NotGuardian", [f.guardian.account.address]);
  });
});

describe("KeyRegistry: governance", () => {
  it("governanceRevoke revokes an active or a suspended key, finally", async () => {
    const f = await load();
    const active = (await registerKey(f)).keyId;
    const suspended = (await registerKey(f, { owner: f.bob })).keyId;
    await f.as(f.guardian).write.suspend([suspended, "x"]);
    for (const keyId of [active, suspended]) {
      const hash = await f.as(f.governance).write.governanceRevoke([keyId, "proposal 7"]);
      await expectEvents(f.publicClient, f.registry, hash, [
        { eventName: "KeyRevoked", args: { keyId, by: address(f.governance), reason: "proposal 7" } },
      ]);
      expect((await record(f, keyId)).state).toBe(KeyState.Revoked);
    }
    await expectRevert(f.as(f.governance).write.governanceRevoke([unknownId, "x"]), f.registry, "KeyNotFound", [unknownId]);
  });

  it("every governance function refuses every other caller", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    for (const caller of [f.alice, f.guardian, f.stranger]) {
      const as = f.as(caller);
      const who: [Hex] = [caller.account.address];
      await expectRevert(as.write.governanceRevoke([keyId, "x"]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.governanceRevokeBatch([[keyId], "x"]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.governanceRevokeLineage([keyId, "x"]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.governanceRevokeOwner([f.alice.account.address, "x"]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.extendSuspension([keyId, 2 ** 32 - 1]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.unsuspend([keyId]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.unsuspendBatch([[keyId]]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.cancelGovernanceTransfer(), f.registry, "NotGovernance", who);
      await expectRevert(as.write.setPolicy([defaultPolicy]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.setScopeName([4, "audit"]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.setGuardian([caller.account.address, true]), f.registry, "NotGovernance", who);
      await expectRevert(as.write.transferGovernance([caller.account.address]), f.registry, "NotGovernance", who);
    }
  });

  it("setPolicy validates, applies to new keys and (through keyStatus) to existing ones, and says so in an event", async () => {
    const f = await load();
    const now = await f.time.latest();
    const longLived = await registerKey(f, { notBefore: now, expiresAt: now + 60 * DAY });
    const strict: Policy = {
      maxLifetime: DAY,
      maxOverlap: HOUR,
      maxSuspension: HOUR,
      maxKeysPerOwner: 2,
      allowedAlgorithms: 1 << Alg.Ed25519,
      allowedScopes: Scope.read,
    };
    const hash = await f.as(f.governance).write.setPolicy([strict]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "PolicyUpdated", args: { ...strict } }]);
    expect(await f.registry.read.policy()).toEqual(strict);

    // Existing keys are judged against the current policy (issue 9; policyNarrowing.test.ts)...
    expect(await status(f, longLived.keyId)).toEqual([false, Reason.NotAllowed]);
    // ...and new ones must satisfy it to be registered.
    const p256 = await makeNewKey(f, { owner: f.alice, alg: "ecdsa-p256-sha256", scopes: Scope.read });
    await expectRevert(f.as(f.alice).write.register([p256.args, "bot"]), f.registry, "AlgorithmNotAllowed", [Alg.EcdsaP256]);
    const ed = await makeNewKey(f, { owner: f.alice, scopes: Scope.read | Scope.trade });
    await expectRevert(f.as(f.alice).write.register([ed.args, "bot"]), f.registry, "ScopesNotAllowed", [Scope.read | Scope.trade, Scope.read]);
    await expectRevert(f.as(f.alice).write.register([{ ...ed.args, scopes: Scope.read }, "bot"]), f.registry, "LifetimeTooLong", [
      BigInt(30 * DAY),
      BigInt(DAY),
    ]);
    const ok = { ...ed.args, scopes: Scope.read, expiresAt: ed.args.notBefore + DAY };
    await expectRevert(f.as(f.alice).write.rotate([longLived.keyId, ok, 2 * HOUR]), f.registry, "OverlapTooLong", [
      BigInt(2 * HOUR),
      BigInt(HOUR),
    ]);
    await f.as(f.alice).write.rotate([longLived.keyId, ok, HOUR]);
  });

  it("setPolicy refuses a zero lifetime, an overlap above the lifetime, algorithm bits that name no algorithm, a zero suspension or key cap", async () => {
    const f = await load();
    const invalid: Policy[] = [
      { ...defaultPolicy, maxLifetime: 0, maxOverlap: 0 },
      { ...defaultPolicy, maxSuspension: 0 },
      { ...defaultPolicy, maxKeysPerOwner: 0 },
      { ...defaultPolicy, maxLifetime: DAY, maxOverlap: DAY + 1 },
      { ...defaultPolicy, allowedAlgorithms: 0b1111 }, // None
      { ...defaultPolicy, allowedAlgorithms: 0b1_0010 },
      { ...defaultPolicy, allowedAlgorithms: 0x80 | 0b10 },
    ];
    for (const policy of invalid) {
      await expectRevert(f.as(f.governance).write.setPolicy([policy]), f.registry, "InvalidPolicy", [policy]);
    }
    // Allowed extremes: overlap = lifetime, the widest suspension and cap, no algorithm at all (registrations paused).
    await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, maxOverlap: defaultPolicy.maxLifetime }]);
    const widest = { ...defaultPolicy, maxSuspension: 2 ** 32 - 1, maxKeysPerOwner: 2 ** 16 - 1 };
    await f.as(f.governance).write.setPolicy([widest]);
    expect(await f.registry.read.policy()).toEqual(widest);
    await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, maxSuspension: 1, maxKeysPerOwner: 1 }]);
    await f.as(f.governance).write.setPolicy([{ ...defaultPolicy, allowedAlgorithms: 0 }]);
    const { args } = await makeNewKey(f, { owner: f.alice });
    await expectRevert(f.as(f.alice).write.register([args, "bot"]), f.registry, "AlgorithmNotAllowed", [Alg.Ed25519]);
  });

  it("setScopeName names unnamed bits 0..7 with names of at most 32 bytes (never renames: policyNarrowing.test.ts)", async () => {
    const f = await load();
    const hash = await f.as(f.governance).write.setScopeName([7, "audit"]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "ScopeNamed", args: { bit: 7, name: "audit" } }]);
    expect(await f.registry.read.scopeName([7])).toBe("audit");
    const long = "y".repeat(32);
    await f.as(f.governance).write.setScopeName([6, long]);
    expect(await f.registry.read.scopeName([6])).toBe(long);
    const empty = await f.as(f.governance).write.setScopeName([5, ""]);
    await expectEvents(f.publicClient, f.registry, empty, [{ eventName: "ScopeNamed", args: { bit: 5, name: "" } }]);
    expect(await f.registry.read.scopeName([5])).toBe("");
    await expectRevert(f.as(f.governance).write.setScopeName([8, "x"]), f.registry, "InvalidScopeName", [8, "x"]);
    await expectRevert(f.as(f.governance).write.setScopeName([1, `${long}z`]), f.registry, "InvalidScopeName", [1, `${long}z`]);
  });

  it("setGuardian appoints a guardian who can then suspend", async () => {
    const f = await load();
    const { keyId } = await registerKey(f);
    const hash = await f.as(f.governance).write.setGuardian([f.stranger.account.address, true]);
    await expectEvents(f.publicClient, f.registry, hash, [{ eventName: "GuardianUpdated", args: { guardian: address(f.stranger), enabled: true } }]);
    await f.as(f.stranger).write.suspend([keyId, "x"]);
    expect((await record(f, keyId)).state).toBe(KeyState.Suspended);
  });

  it("hands governance over in two steps; only the pending address accepts; the old one loses its powers", async () => {
    const f = await load();
    await expectRevert(f.as(f.governance).write.transferGovernance([zeroAddress]), f.registry, "InvalidGovernance", [zeroAddress]);
    await expectRevert(f.as(f.bob).write.acceptGovernance(), f.registry, "NotPendingGovernance", [f.bob.account.address, zeroAddress]);
    const started = await f.as(f.governance).write.transferGovernance([f.bob.account.address]);
    await expectEvents(f.publicClient, f.registry, started, [
      { eventName: "GovernanceTransferStarted", args: { previousGovernance: address(f.governance), newGovernance: address(f.bob) } },
    ]);
    expect(await f.registry.read.pendingGovernance()).toBe(address(f.bob));
    expect(await f.registry.read.governance()).toBe(address(f.governance));
    await expectRevert(f.as(f.stranger).write.acceptGovernance(), f.registry, "NotPendingGovernance", [
      f.stranger.account.address,
      f.bob.account.address,
    ]);
    const accepted = await f.as(f.bob).write.acceptGovernance();
    await expectEvents(f.publicClient, f.registry, accepted, [
      { eventName: "GovernanceTransferred", args: { previousGovernance: address(f.governance), newGovernance: address(f.bob) } },
    ]);
    expect(await f.registry.read.governance()).toBe(address(f.bob));
    expect(await f.registry.read.pendingGovernance()).toBe(zeroAddress);
    await expectRevert(f.as(f.governance).write.setGuardian([f.stranger.account.address, true]), f.registry, "NotGovernance", [
      f.governance.account.address,
    ]);
    await f.as(f.bob).write.setGuardian([f.stranger.account.address, true]);
  });
});

describe("KeyRegistry: keyStatus", () => {
  it("reports Unknown, InsufficientScope and the precedence of its reasons", async () => {
    const f = await load();
    expect(await status(f, unknownId)).toEqual([false, Reason.Unknown]);
    const t = await nextTimestamp(f);
    const { keyId } = await registerKey(f, { scopes: Scope.read | Scope.trade, notBefore: t, expiresAt: t + HOUR });
    expect(await status(f, keyId, 0)).toEqual([true, Reason.Valid]);
    expect(await status(f, keyId, Scope.read)).toEqual([true, Reason.Valid]);
    expect(await status(f, keyId, Scope.read | Scope.trade)).toEqual([true, Reason.Valid]);
    expect(await status(f, keyId, Scope.withdraw)).toEqual([false, Reason.InsufficientScope]);
    expect(await status(f, keyId, Scope.read | Scope.admin)).toEqual([false, Reason.InsufficientScope]);

    // Time comes before scope; suspension and revocation come before time.
    const later = await registerKey(f, { scopes: Scope.read, notBefore: t + DAY, expiresAt: t + 2 * DAY });
    expect(await status(f, later.keyId, Scope.admin)).toEqual([false, Reason.NotYetValid]);
    await f.time.increaseTo(t + HOUR);
    expect(await status(f, keyId, Scope.admin)).toEqual([false, Reason.Expired]);
    await f.as(f.guardian).write.suspend([keyId, "x"]);
    expect(await status(f, keyId, Scope.admin)).toEqual([false, Reason.Suspended]);
    await f.as(f.alice).write.revoke([keyId, "x"]);
    expect(await status(f, keyId, Scope.admin)).toEqual([false, Reason.Revoked]);
  });
});

function expectedRecord(f: RegistryFixture, k: { args: { algorithm: number; scopes: number; notBefore: number; expiresAt: number } }) {
  return {
    owner: address(f.alice),
    algorithm: k.args.algorithm,
    state: KeyState.Active,
    version: 1,
    scopes: k.args.scopes,
    notBefore: k.args.notBefore,
    expiresAt: k.args.expiresAt,
    rotated: false,
    suspendedUntil: 0,
  };
}
