import { readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Address, bytesToHex, type Hex, parseEventLogs } from "viem";
import { keyRegistryAbi } from "../generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../keys/index.ts";
import { readKeyFile, writeKeyFile } from "../signer/node.ts";
import { validateAgentOptions } from "./validateAgentOptions.ts";
import type { RotationAction, RotationAgentOptions } from "./types.ts";

export type RotateDueKeysParameters = RotationAgentOptions;
export type RotateDueKeysReturnType = RotationAction[];

// KeyState in IKeyRegistry.
const unknown = 0;
const active = 1;
const suspended = 2;

const pendingSuffix = ".rotation.pending";

type OnChainKey = { owner: Address; state: number; version: number; scopes: number; notBefore: number; expiresAt: number; rotated: boolean };

/**
 * One pass of the rotation agent over `directory`: every key file whose key is
 * the live head of its lineage on chain, owned by the wallet or by an owner that
 * appointed the wallet its rotator (`setRotator`), and due by the schedule is
 * rotated to a freshly generated key of the same algorithm, label and scopes. The
 * new key is the owner's either way (its id in the owner's namespace, its proof of
 * possession for the owner), so a bot's hot wallet can rotate without holding the
 * owner's key. Chain time judges "due" (the registry judges windows by it).
 *
 * Crash safety: the new private key is written (0600, fsync'ed) to
 * `<oldKeyId>.rotation.pending` before the transaction is sent, and renamed to
 * `<label>.v<version>.key.json` only once the rotation is mined. `keyDirectory`
 * reads only `*.json`, so a signer never picks an unregistered key; the next
 * pass finishes a pending rotation (mined: rename; not mined and the old key
 * still the head: send again with the same key; otherwise set it aside as
 * `.abandoned`). Running it again right after is a no-op (nothing is due).
 */
export async function rotateDueKeys(parameters: RotateDueKeysParameters): Promise<RotateDueKeysReturnType> {
  const options = validateAgentOptions(parameters);
  const { directory, publicClient, walletClient, registry } = options;
  const wallet = walletClient.account.address;
  const actions: RotationAction[] = [];
  const rotators = new Map<string, Promise<Address>>();
  /** Whether the wallet may rotate `owner`'s keys: it is the owner, or the owner's rotator. */
  const mayRotate = async (owner: Address): Promise<boolean> => {
    if (owner.toLowerCase() === wallet.toLowerCase()) return true;
    let rotator = rotators.get(owner.toLowerCase());
    if (!rotator) {
      rotator = publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "rotatorOf", args: [owner] }) as Promise<Address>;
      rotators.set(owner.toLowerCase(), rotator);
    }
    return (await rotator).toLowerCase() === wallet.toLowerCase();
  };
  const read = (keyId: Hex) => publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "getKey", args: [keyId] }) as Promise<OnChainKey>;
  const chainNow = async () => Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp);

  const names = readdirSync(directory).sort();
  const pendingFor = new Set<string>();

  // Pending rotations first: they decide whether their old key is still to be rotated.
  for (const name of names.filter((n) => n.endsWith(pendingSuffix))) {
    const oldKeyId = name.slice(0, -pendingSuffix.length).toLowerCase() as Hex;
    const file = join(directory, name);
    pendingFor.add(oldKeyId);
    let key: KeyFile;
    try {
      key = readKeyFile({ path: file, passphrase: options.passphrase });
    } catch (error) {
      actions.push({ action: "failed", keyId: oldKeyId, file, error: `unreadable pending key file: ${(error as Error).message}`, pendingFile: file });
      continue;
    }
    const [record, old] = await Promise.all([read(key.keyId), read(oldKeyId)]);
    const owner = old.owner;
    if (record.state !== unknown) {
      if (record.owner.toLowerCase() !== owner.toLowerCase()) {
        actions.push(abandon(file, oldKeyId, key.keyId, `the new key is registered to ${record.owner}`));
        continue;
      }
      // Mined, but the pass that sent it stopped before the rename.
      const final = finalize({ directory, pending: file, key, record, passphrase: options.passphrase });
      actions.push({
        action: "rotated",
        oldKeyId,
        keyId: key.keyId,
        version: record.version,
        file: final,
        oldExpiresAt: old.expiresAt,
        notBefore: record.notBefore,
        expiresAt: record.expiresAt,
        transactionHash: undefined,
        blockNumber: undefined,
        resumed: true,
      });
      continue;
    }
    if (old.state !== active || old.rotated || !(await mayRotate(owner))) {
      actions.push(abandon(file, oldKeyId, key.keyId, old.rotated ? "the old key was rotated by another transaction" : "the old key is no longer an active head this wallet may rotate"));
      continue;
    }
    actions.push(await send({ oldKeyId, old, key, pending: file, resumed: true }));
  }

  for (const name of names.filter((n) => n.endsWith(".json"))) {
    let key: KeyFile;
    try {
      key = readKeyFile({ path: join(directory, name), passphrase: options.passphrase });
    } catch (error) {
      actions.push({ action: "failed", file: join(directory, name), error: (error as Error).message });
      continue;
    }
    if (pendingFor.has(key.keyId)) continue;
    if (!key.privateKey) {
      actions.push({ action: "skipped", keyId: key.keyId, reason: "public-only" });
      continue;
    }
    const record = await read(key.keyId);
    const skip = skipReason(record) ?? (record.state !== unknown && !(await mayRotate(record.owner)) ? "not-owner" : undefined);
    if (skip) {
      actions.push({ action: "skipped", keyId: key.keyId, reason: skip });
      continue;
    }
    const now = await chainNow();
    if (now >= record.expiresAt) {
      actions.push({ action: "skipped", keyId: key.keyId, reason: "expired" });
      continue;
    }
    const dueAt =
      "everySeconds" in options.schedule
        ? record.notBefore + options.schedule.everySeconds
        : record.notBefore + Math.floor((record.expiresAt - record.notBefore) * options.schedule.lifetimeFraction);
    if (now < dueAt) {
      actions.push({ action: "not-due", keyId: key.keyId, version: record.version, dueAt });
      continue;
    }
    // The registry id is namespaced per owner: the pending file carries the id the chain will give it.
    const next = bindKeyId({ key: await generateKey({ alg: key.alg, label: key.label }), owner: record.owner });
    const pending = join(directory, `${key.keyId}${pendingSuffix}`);
    // On disk before anything is sent: a crash from here on never loses a key the chain may register.
    writeKeyFile({ path: pending, key: { ...next, version: record.version + 1 }, passphrase: options.passphrase });
    actions.push(await send({ oldKeyId: key.keyId, old: record, key: next, pending, resumed: false }));
  }
  return actions;

  async function send({ oldKeyId, old, key, pending, resumed }: { oldKeyId: Hex; old: OnChainKey; key: KeyFile; pending: string; resumed: boolean }): Promise<RotationAction> {
    try {
      const [policy, now] = await Promise.all([
        publicClient.readContract({ address: registry, abi: keyRegistryAbi, functionName: "policy" }) as Promise<{ maxLifetime: number; maxOverlap: number }>,
        chainNow(),
      ]);
      const lifetime = Math.min(options.lifetimeSeconds ?? old.expiresAt - old.notBefore, policy.maxLifetime);
      const overlap = Math.min(options.overlapSeconds, policy.maxOverlap);
      const notBefore = now;
      const expiresAt = now + lifetime;
      // For the lineage's owner, also when the wallet rotates as the owner's rotator.
      const proof = await signProofOfPossession({ key, chainId: await publicClient.getChainId(), registry, owner: old.owner });
      const { request } = await publicClient.simulateContract({
        account: walletClient.account,
        address: registry,
        abi: keyRegistryAbi,
        functionName: "rotate",
        args: [
          oldKeyId,
          {
            algorithm: algorithmToChain(key.alg),
            publicKey: bytesToHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
            scopes: old.scopes,
            notBefore,
            expiresAt,
            proof,
          },
          overlap,
        ],
      });
      const hash = await walletClient.writeContract(request);
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      const event = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRotated" })[0];
      const record = await read(key.keyId);
      const file = finalize({ directory, pending, key, record, passphrase: options.passphrase });
      return {
        action: "rotated",
        oldKeyId,
        keyId: key.keyId,
        version: record.version,
        file,
        oldExpiresAt: event ? Number(event.args.oldExpiresAt) : Math.min(old.expiresAt, now + overlap),
        notBefore: record.notBefore,
        expiresAt: record.expiresAt,
        transactionHash: hash,
        blockNumber: Number(receipt.blockNumber),
        resumed,
      };
    } catch (error) {
      // The pending file stays: the next pass sends again with the same key.
      const message = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      return { action: "failed", keyId: oldKeyId, error: message, pendingFile: pending };
    }
  }
}

function skipReason(record: OnChainKey): "not-registered" | "superseded" | "revoked" | "suspended" | undefined {
  if (record.state === unknown) return "not-registered";
  if (record.state === suspended) return "suspended";
  if (record.state !== active) return "revoked";
  if (record.rotated) return "superseded";
  return undefined;
}

/** The mined key's file: its version and window as the chain recorded them, under a name no other file has. */
function finalize({ directory, pending, key, record, passphrase }: { directory: string; pending: string; key: KeyFile; record: OnChainKey; passphrase: string | undefined }): string {
  const stem = key.label.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "key";
  const taken = new Set(readdirSync(directory));
  let name = `${stem}.v${record.version}.key.json`;
  for (let i = 2; taken.has(name); i++) name = `${stem}.v${record.version}-${i}.key.json`;
  const file = join(directory, name);
  writeKeyFile({ path: file, key: { ...key, version: record.version, notBefore: record.notBefore, expiresAt: record.expiresAt }, passphrase });
  rmSync(pending, { force: true });
  return file;
}

function abandon(file: string, oldKeyId: Hex, keyId: Hex, reason: string): RotationAction {
  // Never delete private key material: set it aside where no signer reads it.
  const target = `${file.slice(0, -pendingSuffix.length)}.rotation.abandoned`;
  renameSync(file, target);
  return { action: "abandoned", oldKeyId, keyId, file: target, reason };
}
