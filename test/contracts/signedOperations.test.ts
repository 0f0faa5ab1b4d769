// EIP-712 signed (gasless) operations, through the public contract interface: the
// owner signs typed data (src/chain/signedOperations), a third party submits and
// pays. The owners here are fresh accounts that never hold any ETH.
import { network } from "hardhat";
import { type Address, encodeAbiParameters, getAddress, type Hex, hashTypedData, keccak256, type LocalAccount, recoverAddress, toHex, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  extendOverlapForTypedData,
  registerForTypedData,
  registryDomain,
  revokeForTypedData,
  rotateForTypedData,
  setRotatorForTypedData,
  type SignedNewKey,
} from "../../src/chain/signedOperations/index.ts";
import { bindKeyId, generateKey, signProofOfPossession } from "../../src/keys/index.ts";
import {
  DAY,
  deployRegistry,
  expectEvents,
  HOUR,
  KeyState,
  newKeyArgs,
  nextTimestamp,
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
const FAR = 2n ** 40n;

/** A fresh EOA that never receives ETH: everything it does goes through a relayer. */
const freshOwner = (): LocalAccount => privateKeyToAccount(generatePrivateKey());

/** A new key for `owner` with a proof signed for `owner`. */
async function newKey(f: RegistryFixture, owner: Address, parameters: { alg?: "ed25519" | "ecdsa-p256-sha256" | "ecdsa-secp256k1-sha256"; scopes?: number } = {}) {
  const now = await f.time.latest();
  const key = bindKeyId({ key: await generateKey({ alg: parameters.alg ?? "ed25519", label: "relayed-bot" }), owner });
  const args: SignedNewKey = await newKeyArgs({
    key,
    registry: f.registry.address,
    chainId: f.chainId,
    owner,
    scopes: parameters.scopes ?? Scope.read | Scope.trade,
    notBefore: now,
    expiresAt: now + 30 * DAY,
  });
  return { key, keyId: key.keyId, args };
}

const base = (f: RegistryFixture, owner: Address, nonce: bigint, deadline = FAR) => ({ chainId: f.chainId, registry: f.registry.address, owner, nonce, deadline });

/** `owner` signs and `relayer` submits a registerFor; returns the new key. */
async function relayRegister(f: RegistryFixture, owner: LocalAccount, relayer: WalletClient, label = "relayed-bot") {
  const k = await newKey(f, owner.address);
  const nonce = await f.registry.read.nonces([owner.address]);
  const signature = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, nonce), key: k.args, label }));
  const hash = await f.as(relayer).write.registerFor([owner.address, k.args, label, FAR, signature]);
  return { ...k, hash, signature, label };
}

describe("KeyRegistry signed operations: a third party submits what the owner signed", () => {
  it("exposes its EIP-712 domain (ERC-5267) as src/chain/signedOperations builds it", async () => {
    const f = await load();
    const [fields, name, version, chainId, verifyingContract, salt, extensions] = await f.registry.read.eip712Domain();
    const domain = registryDomain({ chainId: f.chainId, registry: f.registry.address });
    expect({ fields, name, version, chainId, verifyingContract: getAddress(verifyingContract), salt, extensions }).toEqual({
      fields: "0x0f",
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: getAddress(domain.verifyingContract),
      salt: `0x${"00".repeat(32)}`,
      extensions: [],
    });
    // The type hashes the contract uses are those of the TypeScript definitions.
    const newKeyType = "NewKey(uint8 algorithm,bytes publicKey,uint8 scopes,uint32 notBefore,uint32 expiresAt,bytes proof)";
    const typeHash = (s: string) => keccak256(toHex(s));
    expect(await f.registry.read.NEW_KEY_TYPEHASH()).toBe(typeHash(newKeyType));
    expect(await f.registry.read.REGISTER_TYPEHASH()).toBe(typeHash(`Register(address owner,NewKey key,string label,uint256 nonce,uint256 deadline)${newKeyType}`));
    expect(await f.registry.read.ROTATE_TYPEHASH()).toBe(
      typeHash(`Rotate(address owner,bytes32 oldKeyId,NewKey key,uint32 overlap,uint256 nonce,uint256 deadline)${newKeyType}`),
    );
    expect(await f.registry.read.REVOKE_TYPEHASH()).toBe(typeHash("Revoke(address owner,bytes32 keyId,string reason,uint256 nonce,uint256 deadline)"));
    expect(await f.registry.read.EXTEND_OVERLAP_TYPEHASH()).toBe(
      typeHash("ExtendOverlap(address owner,bytes32 keyId,uint32 expiresAt,uint256 nonce,uint256 deadline)"),
    );
    expect(await f.registry.read.SET_ROTATOR_TYPEHASH()).toBe(typeHash("SetRotator(address owner,address rotator,uint256 nonce,uint256 deadline)"));
  });

  it("registerFor, rotateFor, extendOverlapFor, setRotatorFor and revokeFor, all sent by a relayer for an owner without ETH", async () => {
    const f = await load();
    const owner = freshOwner();
    const relayer = f.stranger;
    expect(await f.publicClient.getBalance({ address: owner.address })).toBe(0n);
    expect(await f.registry.read.nonces([owner.address])).toBe(0n);

    // registerFor: the key is the owner's, in the owner's namespace.
    const v1 = await relayRegister(f, owner, relayer);
    await expectEvents(f.publicClient, f.registry, v1.hash, [
      {
        eventName: "KeyRegistered",
        args: { keyId: v1.keyId, owner: owner.address, ...v1.args, label: v1.label },
      },
    ]);
    expect(await f.registry.read.getKey([v1.keyId])).toMatchObject({ owner: owner.address, state: KeyState.Active, version: 1 });
    expect(await f.registry.read.ownerRecord([owner.address])).toEqual({ unreleasedLineages: 1, revoked: false, rotator: zeroAddress, nonce: 1 });

    // rotateFor (to an on-chain-checked P-256 key whose proof is for the owner); `by` is the owner.
    const v2 = await newKey(f, owner.address, { alg: "ecdsa-p256-sha256", scopes: Scope.read | Scope.trade | Scope.withdraw });
    const rotateSig = await owner.signTypedData(rotateForTypedData({ ...base(f, owner.address, 1n), oldKeyId: v1.keyId, key: v2.args, overlap: HOUR }));
    const t = await nextTimestamp(f);
    const rotated = await f.as(relayer).write.rotateFor([owner.address, v1.keyId, v2.args, HOUR, FAR, rotateSig]);
    await expectEvents(f.publicClient, f.registry, rotated, [
      {
        eventName: "KeyRotated",
        args: {
          oldKeyId: v1.keyId,
          newKeyId: v2.keyId,
          owner: owner.address,
          by: owner.address,
          version: 2,
          ...v2.args,
          oldExpiresAt: t + HOUR,
        },
      },
    ]);

    // extendOverlapFor: the roll-back window of the rotated-out key.
    const extendSig = await owner.signTypedData(extendOverlapForTypedData({ ...base(f, owner.address, 2n), keyId: v1.keyId, expiresAt: t + 2 * HOUR }));
    const extended = await f.as(relayer).write.extendOverlapFor([owner.address, v1.keyId, t + 2 * HOUR, FAR, extendSig]);
    await expectEvents(f.publicClient, f.registry, extended, [{ eventName: "OverlapExtended", args: { keyId: v1.keyId, expiresAt: t + 2 * HOUR } }]);

    // setRotatorFor.
    const rotatorSig = await owner.signTypedData(setRotatorForTypedData({ ...base(f, owner.address, 3n), rotator: f.bob.account.address }));
    const appointed = await f.as(relayer).write.setRotatorFor([owner.address, f.bob.account.address, FAR, rotatorSig]);
    await expectEvents(f.publicClient, f.registry, appointed, [{ eventName: "RotatorUpdated", args: { owner: owner.address, rotator: address(f.bob) } }]);
    expect(await f.registry.read.rotatorOf([owner.address])).toBe(address(f.bob));

    // revokeFor: `by` is the owner, not the relayer.
    const revokeSig = await owner.signTypedData(revokeForTypedData({ ...base(f, owner.address, 4n), keyId: v2.keyId, reason: "retired" }));
    const revoked = await f.as(relayer).write.revokeFor([owner.address, v2.keyId, "retired", FAR, revokeSig]);
    await expectEvents(f.publicClient, f.registry, revoked, [
      { eventName: "KeyRevoked", args: { keyId: v2.keyId, by: owner.address, reason: "retired" } },
      { eventName: "OverlapEnded", args: { keyId: v1.keyId, expiresAt: (await f.time.latest()) } },
    ]);
    expect((await f.registry.read.getKey([v2.keyId])).state).toBe(KeyState.Revoked);
    // Revoked, not yet released (lazy release): the lineage still counts under the cap.
    expect(await f.registry.read.ownerRecord([owner.address])).toEqual({ unreleasedLineages: 1, revoked: false, rotator: address(f.bob), nonce: 5 });
    // The owner never held, paid or received any ETH.
    expect(await f.publicClient.getBalance({ address: owner.address })).toBe(0n);
  });

  it("a contract-less owner's signature works from any submitter, and the nonce makes each signature single-use", async () => {
    const f = await load();
    const owner = freshOwner();
    const first = await relayRegister(f, owner, f.stranger);
    // Replayed, by the same relayer or another one: the nonce it was signed with is used.
    for (const relayer of [f.stranger, f.mallory]) {
      await expectRevert(f.as(relayer).write.registerFor([owner.address, first.args, first.label, FAR, first.signature]), f.registry, "InvalidSignature", [owner.address]);
    }
    const revokeSig = await owner.signTypedData(revokeForTypedData({ ...base(f, owner.address, 1n), keyId: first.keyId, reason: "r" }));
    await f.as(f.mallory).write.revokeFor([owner.address, first.keyId, "r", FAR, revokeSig]);
    await expectRevert(f.as(f.stranger).write.revokeFor([owner.address, first.keyId, "r", FAR, revokeSig]), f.registry, "InvalidSignature", [owner.address]);
    // A signature for a later nonce is refused until its turn (sequential nonces).
    const k = await newKey(f, owner.address);
    const ahead = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 3n), key: k.args, label: "bot" }));
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", FAR, ahead]), f.registry, "InvalidSignature", [owner.address]);
    expect(await f.registry.read.nonces([owner.address])).toBe(2n);
  });

  it("the nonce never wraps: at 2^32 - 1 a signed operation reverts (arithmetic overflow) instead of reusing nonce 0", async () => {
    const f = await load();
    const owner = freshOwner();
    // OwnerRecord (unreleasedLineages 0..31 | revoked 32..39 | rotator 40..199 | nonce 200..231) in `_owners`, slot 3.
    const slot = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [owner.address, 3n]));
    const max = 2n ** 32n - 1n;
    await networkHelpers.setStorageAt(f.registry.address, slot, max << 200n);
    expect(await f.registry.read.nonces([owner.address])).toBe(max);
    const sig = await owner.signTypedData(setRotatorForTypedData({ ...base(f, owner.address, max), rotator: f.bob.account.address }));
    await expect(f.as(f.stranger).write.setRotatorFor([owner.address, f.bob.account.address, FAR, sig])).rejects.toThrow(/overflow/i);
  });

  it("useNonce cancels a signature handed out but not yet submitted", async () => {
    const f = await load();
    const k = await newKey(f, f.alice.account.address);
    const signature = await f.alice.signTypedData(registerForTypedData({ ...base(f, f.alice.account.address, 0n), key: k.args, label: "bot" }));
    const used = await f.as(f.alice).write.useNonce();
    await expectEvents(f.publicClient, f.registry, used, [{ eventName: "NonceUsed", args: { owner: address(f.alice), nonce: 0n } }]);
    expect(await f.registry.read.nonces([f.alice.account.address])).toBe(1n);
    await expectRevert(f.as(f.stranger).write.registerFor([f.alice.account.address, k.args, "bot", FAR, signature]), f.registry, "InvalidSignature", [
      f.alice.account.address,
    ]);
    expect(await f.registry.read.ownerRecord([f.alice.account.address])).toMatchObject({ unreleasedLineages: 0, nonce: 1 });
  });

  it("refuses an expired deadline with SignatureExpired; the deadline's own second is still accepted", async () => {
    const f = await load();
    const owner = freshOwner();
    const k = await newKey(f, owner.address);
    const deadline = BigInt((await f.time.latest()) + 10);
    const signature = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 0n, deadline), key: k.args, label: "bot" }));
    await f.time.setNextBlockTimestamp(deadline + 1n);
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", deadline, signature]), f.registry, "SignatureExpired", [
      deadline,
      deadline + 1n,
    ]);
    // A later deadline than the one signed is a different digest.
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", deadline + 100n, signature]), f.registry, "InvalidSignature", [
      owner.address,
    ]);
    // At the deadline itself: accepted (the snapshot is rewound to before the deadline).
    const g = await load();
    const k2 = await newKey(g, owner.address);
    const at = BigInt((await g.time.latest()) + 10);
    const sig2 = await owner.signTypedData(registerForTypedData({ ...base(g, owner.address, 0n, at), key: k2.args, label: "bot" }));
    await g.time.setNextBlockTimestamp(at);
    await g.as(g.stranger).write.registerFor([owner.address, k2.args, "bot", at, sig2]);
    expect((await g.registry.read.getKey([k2.keyId])).owner).toBe(owner.address);
    // Every signed operation checks its deadline.
    const past = BigInt(await g.time.latest()) - 1n;
    const now = BigInt(await nextTimestamp(g));
    await expectRevert(g.as(g.stranger).write.revokeFor([owner.address, k2.keyId, "r", past, "0x"]), g.registry, "SignatureExpired", [past, now]);
    const now2 = BigInt(await nextTimestamp(g));
    await expectRevert(g.as(g.stranger).write.rotateFor([owner.address, k2.keyId, k2.args, 0, past, "0x"]), g.registry, "SignatureExpired", [past, now2]);
    const now3 = BigInt(await nextTimestamp(g));
    await expectRevert(g.as(g.stranger).write.extendOverlapFor([owner.address, k2.keyId, 1, past, "0x"]), g.registry, "SignatureExpired", [past, now3]);
    const now4 = BigInt(await nextTimestamp(g));
    await expectRevert(g.as(g.stranger).write.setRotatorFor([owner.address, zeroAddress, past, "0x"]), g.registry, "SignatureExpired", [past, now4]);
  });

  it("refuses a signature for another registry, another chain, or another domain name or version", async () => {
    const f = await load();
    const owner = freshOwner();
    const k = await newKey(f, owner.address);
    const { registry: other } = await deployRegistry({ viem: f.viem, governance: f.governance.account.address });
    const typedData = registerForTypedData({ ...base(f, owner.address, 0n), key: k.args, label: "bot" });
    const wrongDomains = [
      { ...typedData.domain, verifyingContract: other.address },
      { ...typedData.domain, chainId: BigInt(f.chainId + 1) },
      { ...typedData.domain, name: "KeyLedger KeyRegistry v1" },
      { ...typedData.domain, version: "1" },
    ];
    for (const domain of wrongDomains) {
      const signature = await owner.signTypedData({ ...typedData, domain });
      await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", FAR, signature]), f.registry, "InvalidSignature", [owner.address]);
    }
    // The one signed for the other registry works there (with a proof for that registry), and only there.
    const there = await newKeyArgs({ key: k.key, registry: other.address, chainId: f.chainId, owner: owner.address, scopes: k.args.scopes, notBefore: k.args.notBefore, expiresAt: k.args.expiresAt });
    const forOther = await owner.signTypedData(registerForTypedData({ chainId: f.chainId, registry: other.address, owner: owner.address, nonce: 0n, deadline: FAR, key: there, label: "bot" }));
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, there, "bot", FAR, forOther]), f.registry, "InvalidSignature", [owner.address]);
    // (`other` sends from the first dev account: a relayer too.)
    await other.write.registerFor([owner.address, there, "bot", FAR, forOther]);
    expect((await other.read.getKey([k.keyId])).owner).toBe(owner.address);
    expect((await f.registry.read.getKey([k.keyId])).state).toBe(KeyState.Unknown);
  });

  it("refuses a signature by anyone but the owner, and an owner's signature submitted for another owner", async () => {
    const f = await load();
    const owner = freshOwner();
    const k = await newKey(f, owner.address);
    const typedData = registerForTypedData({ ...base(f, owner.address, 0n), key: k.args, label: "bot" });
    // Mallory signs the owner's message: wrong signer.
    const byMallory = await f.mallory.signTypedData(typedData);
    await expectRevert(f.as(f.mallory).write.registerFor([owner.address, k.args, "bot", FAR, byMallory]), f.registry, "InvalidSignature", [owner.address]);
    // Another fresh key signs it (a different EOA).
    const byStranger = await freshOwner().signTypedData(typedData);
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", FAR, byStranger]), f.registry, "InvalidSignature", [owner.address]);
    // The owner's signature presented as bob's: the digest binds the owner.
    const byOwner = await owner.signTypedData(typedData);
    await expectRevert(f.as(f.stranger).write.registerFor([f.bob.account.address, k.args, "bot", FAR, byOwner]), f.registry, "InvalidSignature", [
      f.bob.account.address,
    ]);
    // Garbage and empty signatures.
    for (const junk of ["0x", `0x${"11".repeat(65)}`, `0x${"00".repeat(65)}`] as Hex[]) {
      await expectRevert(f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", FAR, junk]), f.registry, "InvalidSignature", [owner.address]);
    }
    // The zero address signs nothing.
    await expectRevert(f.as(f.stranger).write.setRotatorFor([zeroAddress, f.stranger.account.address, FAR, byOwner]), f.registry, "InvalidSignature", [zeroAddress]);
    await f.as(f.stranger).write.registerFor([owner.address, k.args, "bot", FAR, byOwner]);
  });

  it("refuses a signature for other parameters or for another operation", async () => {
    const f = await load();
    const owner = freshOwner();
    const v1 = await relayRegister(f, owner, f.stranger);
    const k = await newKey(f, owner.address, { alg: "ecdsa-secp256k1-sha256" });
    const send = f.as(f.stranger).write;
    const refused = (call: Promise<Hex>) => expectRevert(call, f.registry, "InvalidSignature", [owner.address]);

    // Register: every field of the key, the label.
    const registerSig = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 1n), key: k.args, label: "bot" }));
    const other = await newKey(f, owner.address, { alg: "ecdsa-secp256k1-sha256" });
    for (const changed of [
      { ...k.args, scopes: Scope.read | Scope.trade | Scope.admin },
      { ...k.args, notBefore: k.args.notBefore + 1 },
      { ...k.args, expiresAt: k.args.expiresAt - 1 },
      { ...k.args, algorithm: 2 },
      other.args,
      { ...k.args, proof: other.args.proof },
    ]) {
      await refused(send.registerFor([owner.address, changed, "bot", FAR, registerSig]));
    }
    await refused(send.registerFor([owner.address, k.args, "bot2", FAR, registerSig]));

    // Rotate: another old key, another new key, another overlap.
    const rotateSig = await owner.signTypedData(rotateForTypedData({ ...base(f, owner.address, 1n), oldKeyId: v1.keyId, key: k.args, overlap: HOUR }));
    await refused(send.rotateFor([owner.address, v1.keyId, k.args, HOUR + 1, FAR, rotateSig]));
    await refused(send.rotateFor([owner.address, v1.keyId, { ...k.args, scopes: Scope.read }, HOUR, FAR, rotateSig]));
    await refused(send.rotateFor([owner.address, `0x${"ab".repeat(32)}`, k.args, HOUR, FAR, rotateSig]));

    // Revoke: another key, another reason.
    const revokeSig = await owner.signTypedData(revokeForTypedData({ ...base(f, owner.address, 1n), keyId: v1.keyId, reason: "leak" }));
    await refused(send.revokeFor([owner.address, v1.keyId, "routine", FAR, revokeSig]));
    await refused(send.revokeFor([owner.address, k.keyId, "leak", FAR, revokeSig]));

    // SetRotator: another rotator.
    const rotatorSig = await owner.signTypedData(setRotatorForTypedData({ ...base(f, owner.address, 1n), rotator: f.bob.account.address }));
    await refused(send.setRotatorFor([owner.address, f.mallory.account.address, FAR, rotatorSig]));

    // Another operation: each signature is only good for its own type.
    await refused(send.rotateFor([owner.address, v1.keyId, k.args, HOUR, FAR, registerSig]));
    await refused(send.revokeFor([owner.address, v1.keyId, "leak", FAR, rotateSig]));
    await refused(send.setRotatorFor([owner.address, f.bob.account.address, FAR, revokeSig]));
    await refused(send.registerFor([owner.address, k.args, "bot", FAR, rotatorSig]));
    await refused(send.extendOverlapFor([owner.address, v1.keyId, 1, FAR, revokeSig]));

    // Nothing happened; each signature still works for what it was signed for (one of them: they share nonce 1).
    expect(await f.registry.read.nonces([owner.address])).toBe(1n);
    await send.setRotatorFor([owner.address, f.bob.account.address, FAR, rotatorSig]);
    expect(await f.registry.read.rotatorOf([owner.address])).toBe(address(f.bob));
  });

  it("a new key's proof must be signed for the owner, not for the relayer; the operation's own checks still apply", async () => {
    const f = await load();
    const owner = freshOwner();
    const k = await newKey(f, owner.address, { alg: "ecdsa-p256-sha256" });
    // The key's proof signed for the relayer (msg.sender) is not good for the owner.
    const forRelayer = await signProofOfPossession({ key: k.key, chainId: f.chainId, registry: f.registry.address, owner: f.stranger.account.address });
    const args = { ...k.args, proof: forRelayer };
    const signature = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 0n), key: args, label: "bot" }));
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, args, "bot", FAR, signature]), f.registry, "InvalidProof", [k.keyId]);
    // A signed rotate of someone else's key: refused as not the owner's.
    const bobKey = await relayRegister(f, privateKeyToAccount(generatePrivateKey()), f.stranger);
    const next = await newKey(f, owner.address);
    const rotateSig = await owner.signTypedData(rotateForTypedData({ ...base(f, owner.address, 0n), oldKeyId: bobKey.keyId, key: next.args, overlap: 0 }));
    const bobOwner = getAddress(bobKey.keyId.slice(0, 42));
    await expectRevert(f.as(f.stranger).write.rotateFor([owner.address, bobKey.keyId, next.args, 0, FAR, rotateSig]), f.registry, "NotKeyOwner", [
      bobKey.keyId,
      owner.address,
      bobOwner,
    ]);
    const revokeSig = await owner.signTypedData(revokeForTypedData({ ...base(f, owner.address, 0n), keyId: bobKey.keyId, reason: "x" }));
    await expectRevert(f.as(f.stranger).write.revokeFor([owner.address, bobKey.keyId, "x", FAR, revokeSig]), f.registry, "NotKeyOwner", [
      bobKey.keyId,
      owner.address,
      bobOwner,
    ]);
    // Policy still applies to a signed register (a refusal leaves the nonce unused).
    const wide = await newKey(f, owner.address, { scopes: 0x80 });
    const wideSig = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 0n), key: wide.args, label: "bot" }));
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, wide.args, "bot", FAR, wideSig]), f.registry, "ScopesNotAllowed", [0x80, 0x0f]);
    expect(await f.registry.read.nonces([owner.address])).toBe(0n);
    // A revoked owner's signatures register nothing.
    await f.as(f.governance).write.governanceRevokeOwner([owner.address, "sanctioned"]);
    const late = await newKey(f, owner.address);
    const lateSig = await owner.signTypedData(registerForTypedData({ ...base(f, owner.address, 0n), key: late.args, label: "bot" }));
    await expectRevert(f.as(f.stranger).write.registerFor([owner.address, late.args, "bot", FAR, lateSig]), f.registry, "OwnerIsRevoked", [owner.address]);
  });

  it("hashTypedData of the helpers is the digest the owner's wallet signs (eth_signTypedData_v4 of a node account)", async () => {
    const f = await load();
    const k = await newKey(f, f.alice.account.address);
    const typedData = registerForTypedData({ ...base(f, f.alice.account.address, 0n), key: k.args, label: "bot" });
    const signature = await f.alice.signTypedData(typedData);
    expect(getAddress(await recoverAddress({ hash: hashTypedData(typedData), signature }))).toBe(address(f.alice));
    await f.as(f.stranger).write.registerFor([f.alice.account.address, k.args, "bot", FAR, signature]);
    expect((await f.registry.read.getKey([k.keyId])).owner).toBe(address(f.alice));
  });
});
