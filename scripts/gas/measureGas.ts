import { createHash } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { network } from "hardhat";
import { type Address, getContract, type Hash, toHex } from "viem";
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
  const [governance, owner, guardian, other] = await viem.getWalletClients();
  if (!governance || !owner || !guardian || !other) throw new Error("the Hardhat network needs at least 4 accounts");
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
