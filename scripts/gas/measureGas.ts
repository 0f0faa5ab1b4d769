import { createHash } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { network } from "hardhat";
import { type Address, getContract, type Hash, toHex } from "viem";
import {
  extendOverlapForTypedData,
  registerForTypedData,
  revokeForTypedData,
  rotateForTypedData,
  setRotatorForTypedData,
} from "../../src/chain/signedOperations/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { computeKeyId, proofOfPossessionMessage } from "../../src/keys/index.ts";
import type { GasFigures } from "./figures.ts";

type Connection = Awaited<ReturnType<typeof network.create>>;

export type MeasureGasParameters = {
  /** A Hardhat network connection; default: a fresh in-process network. */
  connection?: Connection | undefined;
};
export type MeasureGasReturnType = GasFigures;

const DAY = 86_400;
const HOUR = 3_600;
const policy = { maxLifetime: 90 * DAY, maxOverlap: 7 * DAY, maxSuspension: 3 * DAY, maxKeysPerOwner: 100, allowedAlgorithms: 0b1110, allowedScopes: 0b1111 };
const label = "trading-bot";
const reason = "compromised";

type Curve = "ed25519" | "p256" | "secp256k1";
const algorithmOf: Record<Curve, number> = { ed25519: 1, p256: 2, secp256k1: 3 };

/**
 * Deploys a KeyRegistry on an in-process Hardhat chain and returns the receipt
 * gasUsed (21,000 base included) of each operation. Everything that reaches
 * calldata is fixed (seeded keys, deterministic signatures, timestamps with the
 * same zero bytes), so the figures repeat exactly from run to run.
 */
export async function measureGas({ connection }: MeasureGasParameters = {}): Promise<MeasureGasReturnType> {
  const { viem, networkHelpers } = connection ?? (await network.create());
  const [governance, owner, guardian, other, signer, relayer, rotator] = await viem.getWalletClients();
  if (!governance || !owner || !guardian || !other || !signer || !relayer || !rotator) {
    throw new Error("the Hardhat network needs at least 7 accounts");
  }
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();

  // A governance EOA: the figures are the registry's own cost, whoever calls it.
  const deployed = await viem.deployContract("KeyRegistry", [
    governance.account.address,
    policy,
    ["read", "trade", "withdraw", "admin"],
    [guardian.account.address],
  ]);
  const registry = (wallet: typeof owner) =>
    getContract({ address: deployed.address, abi: keyRegistryAbi, client: { public: publicClient, wallet } });

  // Timestamps whose low three bytes are non-zero, so calldata gas does not depend on the clock.
  const latest = await networkHelpers.time.latest();
  const base = (Math.floor(latest / 2 ** 24) + 1) * 2 ** 24 + 0x111111;
  let clock = base;
  const gasOf = async (send: () => Promise<Hash>): Promise<number> => {
    await networkHelpers.time.setNextBlockTimestamp(++clock);
    const hash = await send();
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`gas benchmark transaction ${hash} reverted`);
    return Number(receipt.gasUsed);
  };

  let seed = 0;
  const newKey = (curve: Curve, by: Address = owner.account.address) => {
    const key = seededKey(curve, `keyledger gas benchmark ${seed++}`);
    const keyId = computeKeyId({ publicKey: key.publicKey, owner: by });
    const message = proofOfPossessionMessage({ chainId, registry: deployed.address, owner: by, keyId });
    return {
      keyId,
      args: {
        algorithm: algorithmOf[curve],
        publicKey: toHex(key.publicKey),
        scopes: 0b0011,
        notBefore: base,
        expiresAt: base + 30 * DAY,
        proof: toHex(key.sign(message)),
      },
    };
  };
  const register = (key: ReturnType<typeof newKey>) => gasOf(() => registry(owner).write.register([key.args, label]));

  const first = newKey("ed25519");
  const ed = newKey("ed25519");
  const p = newKey("p256");
  const k1 = newKey("secp256k1");
  const figures: Partial<GasFigures> = {};
  figures["register.firstKey"] = await register(first);
  figures["register.ed25519"] = await register(ed);
  figures["register.ecdsaP256"] = await register(p);
  figures["register.ecdsaSecp256k1"] = await register(k1);

  const next = newKey("ed25519");
  figures.rotate = await gasOf(() => registry(owner).write.rotate([ed.keyId, next.args, HOUR]));
  figures.extendOverlap = await gasOf(() => registry(owner).write.extendOverlap([ed.keyId, clock + 2 * HOUR]));
  figures.revoke = await gasOf(() => registry(owner).write.revoke([p.keyId, reason]));
  // Anyone (here a stranger) gives the revoked head's place under the cap back.
  figures.releaseKeys = await gasOf(() => registry(other).write.releaseKeys([[p.keyId]]));

  const batch = Array.from({ length: 10 }, () => newKey("ed25519"));
  for (const key of batch) await register(key);
  const batchGas = await gasOf(() => registry(owner).write.revokeBatch([batch.map((k) => k.keyId), reason]));
  figures["revokeBatch.10"] = batchGas;
  figures["revokeBatch.perKey"] = Math.round(batchGas / batch.length);

  figures.suspend = await gasOf(() => registry(guardian).write.suspend([k1.keyId, reason]));
  figures.unsuspend = await gasOf(() => registry(governance).write.unsuspend([k1.keyId]));
  figures.governanceRevoke = await gasOf(() => registry(governance).write.governanceRevoke([k1.keyId, reason]));

  // A lineage rotated twice (v1 -> v2 -> v3), revoked from its first version.
  const v1 = newKey("ed25519", other.account.address);
  const v2 = newKey("ed25519", other.account.address);
  const v3 = newKey("ed25519", other.account.address);
  await gasOf(() => registry(other).write.register([v1.args, label]));
  await gasOf(() => registry(other).write.rotate([v1.keyId, v2.args, HOUR]));
  await gasOf(() => registry(other).write.rotate([v2.keyId, v3.args, HOUR]));
  figures["governanceRevokeLineage.3"] = await gasOf(() => registry(governance).write.governanceRevokeLineage([v1.keyId, reason]));
  figures.governanceRevokeOwner = await gasOf(() => registry(governance).write.governanceRevokeOwner([owner.account.address, reason]));

  // The rotator and the signed operations, for an owner (`signer`) that already has a key.
  const by = signer.account.address;
  const s1 = newKey("ed25519", by);
  await gasOf(() => registry(signer).write.register([s1.args, label]));
  figures.setRotator = await gasOf(() => registry(signer).write.setRotator([rotator.account.address]));
  const s2 = newKey("ed25519", by);
  figures["rotate.byRotator"] = await gasOf(() => registry(rotator).write.rotate([s1.keyId, s2.args, HOUR]));

  // Signed by the owner (eth_signTypedData_v4: deterministic), sent by the relayer.
  const deadline = BigInt(base + 365 * DAY);
  const signed = { chainId, registry: deployed.address, owner: by, deadline };
  const nonce = () => registry(signer).read.nonces([by]);
  const s3 = newKey("ed25519", by);
  const registerSig = await signer.signTypedData(registerForTypedData({ ...signed, nonce: await nonce(), key: s3.args, label }));
  figures["registerFor.ed25519"] = await gasOf(() => registry(relayer).write.registerFor([by, s3.args, label, deadline, registerSig]));
  const s4 = newKey("ed25519", by);
  const rotateSig = await signer.signTypedData(rotateForTypedData({ ...signed, nonce: await nonce(), oldKeyId: s3.keyId, key: s4.args, overlap: HOUR }));
  figures.rotateFor = await gasOf(() => registry(relayer).write.rotateFor([by, s3.keyId, s4.args, HOUR, deadline, rotateSig]));
  const extendTo = clock + 2 * HOUR;
  const extendSig = await signer.signTypedData(extendOverlapForTypedData({ ...signed, nonce: await nonce(), keyId: s3.keyId, expiresAt: extendTo }));
  figures.extendOverlapFor = await gasOf(() => registry(relayer).write.extendOverlapFor([by, s3.keyId, extendTo, deadline, extendSig]));
  // A version-1 head, as for `revoke`.
  const s5 = newKey("ed25519", by);
  await gasOf(() => registry(signer).write.register([s5.args, label]));
  const revokeSig = await signer.signTypedData(revokeForTypedData({ ...signed, nonce: await nonce(), keyId: s5.keyId, reason }));
  figures.revokeFor = await gasOf(() => registry(relayer).write.revokeFor([by, s5.keyId, reason, deadline, revokeSig]));
  const rotatorSig = await signer.signTypedData(setRotatorForTypedData({ ...signed, nonce: await nonce(), rotator: relayer.account.address }));
  figures.setRotatorFor = await gasOf(() => registry(relayer).write.setRotatorFor([by, relayer.account.address, deadline, rotatorSig]));
  return figures as GasFigures;
}

function seededKey(curve: Curve, seedText: string): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  const secret = createHash("sha256").update(seedText).digest();
  if (curve === "ed25519") {
    return { publicKey: ed25519.getPublicKey(secret), sign: (message) => ed25519.sign(message, secret) };
  }
  const c = curve === "p256" ? p256 : secp256k1;
  return {
    publicKey: c.getPublicKey(secret, true),
    // ECDSA over the message's SHA-256 (RFC 6979 nonces: deterministic).
    sign: (message) => c.sign(createHash("sha256").update(message).digest(), secret, { lowS: true }).toCompactRawBytes(),
  };
}
