// Shared set-up for the KeyRegistry tests: a registry deployed on Hardhat's
// in-process chain with a known policy, named accounts, real keys and proofs
// (src/keys), and exact log assertions.
import { createPublicKey, verify } from "node:crypto";
import type { network } from "hardhat";
import { type Address, getContract, type GetContractReturnType, type Hash, type Hex, parseEventLogs, toHex } from "viem";
import { expect } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import {
  type Algorithm,
  algorithmToChain,
  bindKeyId,
  generateKey,
  type KeyFile,
  publicKeyToRaw,
  signProofOfPossession,
} from "../../src/keys/index.ts";

export type Connection = Awaited<ReturnType<typeof network.create>>;
export type Viem = Connection["viem"];
export type PublicClient = Awaited<ReturnType<Viem["getPublicClient"]>>;
export type WalletClient = Awaited<ReturnType<Viem["getWalletClients"]>>[number];
export type Registry = GetContractReturnType<typeof keyRegistryAbi, { public: PublicClient; wallet: WalletClient }>;

/** `IKeyRegistry.Policy`. */
export type Policy = {
  maxLifetime: number;
  maxOverlap: number;
  maxSuspension: number;
  maxKeysPerOwner: number;
  allowedAlgorithms: number;
  allowedScopes: number;
};
/** `IKeyRegistry.NewKey`. */
export type NewKey = { algorithm: number; publicKey: Hex; scopes: number; notBefore: number; expiresAt: number; proof: Hex };

export const HOUR = 3_600;
export const DAY = 86_400;

/** `IKeyRegistry.Algorithm`, `KeyState` and `StatusReason` values. */
export const Alg = { None: 0, Ed25519: 1, EcdsaP256: 2, EcdsaSecp256k1: 3 } as const;
export const KeyState = { Unknown: 0, Active: 1, Suspended: 2, Revoked: 3 } as const;
export const Reason = {
  Valid: 0,
  Unknown: 1,
  Revoked: 2,
  Suspended: 3,
  NotYetValid: 4,
  Expired: 5,
  InsufficientScope: 6,
  NotAllowed: 7,
  OwnerRevoked: 8,
} as const;

/** Scope bits as the local deployment names them. */
/** `IKeyRegistry.ReleaseSkipReason`: why `releaseKeys` left a key alone. */
export const ReleaseSkip = { NotRevoked: 0, NotHead: 1, AlreadyReleased: 2, OwnerRevoked: 3 } as const;
export const Scope = { read: 1, trade: 2, withdraw: 4, admin: 8 } as const;
export const defaultScopeNames = ["read", "trade", "withdraw", "admin"];

/**
 * All three algorithms (bit `1 << Algorithm`), four named scopes, suspensions of at
 * most 3 days, and room for 300 live lineages per owner (the batch tests register
 * MAX_BATCH = 256 keys for one owner; the cap tests lower it).
 */
export const defaultPolicy: Policy = {
  maxLifetime: 90 * DAY,
  maxOverlap: 7 * DAY,
  maxSuspension: 3 * DAY,
  maxKeysPerOwner: 300,
  allowedAlgorithms: 0b1110,
  allowedScopes: 0b1111,
};

export type DeployRegistryParameters = {
  viem: Viem;
  governance: Address;
  policy?: Policy | undefined;
  scopeNames?: string[] | undefined;
  guardians?: Address[] | undefined;
};
export type DeployRegistryReturnType = { registry: Registry; hash: Hash };

/** Deploys a KeyRegistry and returns it typed with the generated ABI. */
export async function deployRegistry({
  viem,
  governance,
  policy = defaultPolicy,
  scopeNames = defaultScopeNames,
  guardians = [],
}: DeployRegistryParameters): Promise<DeployRegistryReturnType> {
  const { contract, deploymentTransaction } = await viem.sendDeploymentTransaction("KeyRegistry", [
    governance,
    policy,
    scopeNames,
    guardians,
  ]);
  const publicClient = await viem.getPublicClient();
  await publicClient.waitForTransactionReceipt({ hash: deploymentTransaction.hash });
  const [wallet] = await viem.getWalletClients();
  const registry = getContract({ address: contract.address, abi: keyRegistryAbi, client: { public: publicClient, wallet: wallet! } });
  return { registry, hash: deploymentTransaction.hash };
}

/**
 * The registry of the shared fixture, governed by an EOA (the DAO path through the
 * timelock is tested with the governance contracts), with one guardian.
 * Pass it by name to `networkHelpers.loadFixture` so every test starts from a snapshot.
 */
export async function registryFixture({ viem, networkHelpers }: Connection): Promise<RegistryFixture> {
  const wallets = await viem.getWalletClients();
  const wallet = (i: number): WalletClient => {
    const w = wallets[i];
    if (!w) throw new Error(`Hardhat has no account ${i}`);
    return w;
  };
  const [governance, alice, bob, guardian, stranger, mallory] = [0, 1, 2, 3, 4, 5].map(wallet) as [
    WalletClient, WalletClient, WalletClient, WalletClient, WalletClient, WalletClient,
  ];
  const publicClient = await viem.getPublicClient();
  const { registry, hash } = await deployRegistry({
    viem,
    governance: governance.account.address,
    guardians: [guardian.account.address],
  });
  const chainId = await publicClient.getChainId();
  const as = (wallet: WalletClient): Registry =>
    getContract({ address: registry.address, abi: keyRegistryAbi, client: { public: publicClient, wallet } });
  return {
    viem,
    time: networkHelpers.time,
    publicClient,
    registry,
    deployHash: hash,
    chainId,
    as,
    governance,
    alice,
    bob,
    guardian,
    stranger,
    mallory,
    wallets,
  };
}
export type RegistryFixture = {
  viem: Viem;
  time: Connection["networkHelpers"]["time"];
  publicClient: PublicClient;
  registry: Registry;
  deployHash: Hash;
  chainId: number;
  /** The registry as `wallet` sends to it. */
  as(wallet: WalletClient): Registry;
  governance: WalletClient;
  alice: WalletClient;
  bob: WalletClient;
  guardian: WalletClient;
  stranger: WalletClient;
  mallory: WalletClient;
  wallets: WalletClient[];
};

export type NewKeyArgsParameters = {
  key: KeyFile;
  registry: Address;
  chainId: number;
  owner: Address;
  scopes: number;
  notBefore: number;
  expiresAt: number;
};

/** `NewKey` for `key` with a real proof of possession for `owner`. */
export async function newKeyArgs({ key, registry, chainId, owner, scopes, notBefore, expiresAt }: NewKeyArgsParameters): Promise<NewKey> {
  return {
    algorithm: algorithmToChain(key.alg),
    publicKey: rawPublicKey(key),
    scopes,
    notBefore,
    expiresAt,
    proof: await signProofOfPossession({ key, chainId, registry, owner }),
  };
}

export function rawPublicKey(key: KeyFile): Hex {
  return toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw);
}

export type RegisterKeyParameters = {
  owner?: WalletClient | undefined;
  alg?: Algorithm | undefined;
  label?: string | undefined;
  scopes?: number | undefined;
  notBefore?: number | undefined;
  expiresAt?: number | undefined;
};
/** `key` is bound to its owner: `key.keyId` is the registry's id (owner || 12 bytes), equal to `keyId`. */
export type RegisterKeyReturnType = { key: KeyFile; keyId: Hex; args: NewKey; label: string; hash: Hash };

/** Generates a key and registers it (default: alice, Ed25519, read+trade, valid now for 30 days). */
export async function registerKey(f: RegistryFixture, parameters: RegisterKeyParameters = {}): Promise<RegisterKeyReturnType> {
  const { owner = f.alice, alg = "ed25519", label = "trading-bot", scopes = Scope.read | Scope.trade } = parameters;
  const now = await f.time.latest();
  const key = bindKeyId({ key: await generateKey({ alg, label }), owner: owner.account.address });
  const args = await newKeyArgs({
    key,
    registry: f.registry.address,
    chainId: f.chainId,
    owner: owner.account.address,
    scopes,
    notBefore: parameters.notBefore ?? now,
    expiresAt: parameters.expiresAt ?? now + 30 * DAY,
  });
  const hash = await f.as(owner).write.register([args, label]);
  await expectSuccess(f.publicClient, hash);
  return { key, keyId: key.keyId, args, label, hash };
}

export type MakeNewKeyParameters = Omit<RegisterKeyParameters, "label"> & { owner: WalletClient };

/**
 * A fresh key and its `NewKey` arguments for `owner`, not registered (for rotate and
 * refusals); `key.keyId` is the id the registry gives it under `owner`.
 */
export async function makeNewKey(f: RegistryFixture, parameters: MakeNewKeyParameters): Promise<{ key: KeyFile; args: NewKey }> {
  const now = await f.time.latest();
  const key = bindKeyId({ key: await generateKey({ alg: parameters.alg ?? "ed25519", label: "trading-bot" }), owner: parameters.owner.account.address });
  const args = await newKeyArgs({
    key,
    registry: f.registry.address,
    chainId: f.chainId,
    owner: parameters.owner.account.address,
    scopes: parameters.scopes ?? Scope.read | Scope.trade,
    notBefore: parameters.notBefore ?? now,
    expiresAt: parameters.expiresAt ?? now + 30 * DAY,
  });
  return { key, args };
}

/** Sets the next block's timestamp to latest + `delta` and returns it (what the next call sees as block.timestamp). */
export async function nextTimestamp(f: RegistryFixture, delta = 1): Promise<number> {
  const t = (await f.time.latest()) + delta;
  await f.time.setNextBlockTimestamp(t);
  return t;
}

export async function expectSuccess(publicClient: PublicClient, hash: Hash) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

export type ExpectedEvent = { eventName: string; args: Record<string, unknown> };

/**
 * Asserts the exact list of events the transaction emitted, in order, with all
 * arguments: nothing missing, nothing extra (stricter than an "emits at least" check).
 */
export async function expectEvents(publicClient: PublicClient, registry: { address: Address }, hash: Hash, expected: ExpectedEvent[]) {
  const receipt = await expectSuccess(publicClient, hash);
  expect(receipt.logs.every((log) => log.address.toLowerCase() === registry.address.toLowerCase())).toBe(true);
  const logs = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, strict: true });
  expect(logs).toHaveLength(receipt.logs.length);
  expect(normalize(logs.map(({ eventName, args }) => ({ eventName, args })))).toEqual(normalize(expected));
  return receipt;
}

/** Decoded events of the transaction (for reading back a proof or a key id). */
export async function eventsOf(publicClient: PublicClient, hash: Hash) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, strict: true });
}

// Hex casing carries no meaning (checksummed addresses vs lower-case bytes).
function normalize(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("0x")) return value.toLowerCase();
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/**
 * Checks a proof of possession the way every verifier must before trusting a chain
 * key: with node:crypto, over `message` (Ed25519: the bytes; ECDSA: their SHA-256, r || s).
 */
export function verifyProof({ key, message, proof }: { key: KeyFile; message: Uint8Array; proof: Hex }): boolean {
  const publicKey = createPublicKey({ key: key.publicKey as never, format: "jwk" });
  const signature = Buffer.from(proof.slice(2), "hex");
  return key.alg === "ed25519"
    ? verify(null, message, publicKey, signature)
    : verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
}
