import { type Address, formatLog, getAddress, type Hex, type Log, pad, parseEventLogs, type RpcLog, toEventSelector } from "viem";
import { keyRegistryAbi } from "../generated/abis.ts";
import { algorithmFromChain } from "../keys/index.ts";
import { usageError } from "./CliError.ts";
import type { ChainContext } from "./connectChain.ts";
import { explainError } from "./explainError.ts";
import { formatTime } from "./parse.ts";

export const keyStates = ["unknown", "active", "suspended", "revoked"] as const;
export const statusReasons = ["valid", "unknown", "revoked", "suspended", "not-yet-valid", "expired", "insufficient-scope", "not-allowed", "owner-revoked"] as const;

export type KeyRecord = {
  owner: Address;
  algorithm: number;
  state: number;
  version: number;
  scopes: number;
  notBefore: number;
  expiresAt: number;
  rotated: boolean;
  /** When a guardian's suspension ends (unix seconds): kept after it lapses, 0 once lifted or never suspended. */
  suspendedUntil: number;
};

async function call<T>(context: ChainContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw explainError(error, { rpcUrl: context.rpcUrl });
  }
}

/** Scope names by bit (index 0..7), "" for unnamed bits. */
export async function readScopeNames(context: ChainContext): Promise<string[]> {
  return call(context, () =>
    Promise.all(
      Array.from({ length: 8 }, (_, bit) =>
        context.client.readContract({ address: context.registry, abi: keyRegistryAbi, functionName: "scopeName", args: [bit] }),
      ),
    ),
  );
}

export function scopesToMask(names: readonly string[], scopeNames: readonly string[]): number {
  let mask = 0;
  for (const name of names) {
    const bit = scopeNames.indexOf(name);
    if (!name || bit < 0) {
      const known = scopeNames.filter(Boolean);
      throw usageError(`Unknown scope "${name}".`, [`This registry names: ${known.length ? known.join(", ") : "no scopes"}.`]);
    }
    mask |= 1 << bit;
  }
  return mask;
}

export function maskToNames(mask: number, scopeNames: readonly string[]): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 8; bit++) if (mask & (1 << bit)) out.push(scopeNames[bit] || `bit${bit}`);
  return out;
}

export async function readKeyRecord(context: ChainContext, keyId: Hex): Promise<KeyRecord> {
  const r = await call(context, () =>
    context.client.readContract({ address: context.registry, abi: keyRegistryAbi, functionName: "getKey", args: [keyId] }),
  );
  return {
    ...r,
    algorithm: Number(r.algorithm),
    state: Number(r.state),
    version: Number(r.version),
    scopes: Number(r.scopes),
    suspendedUntil: Number(r.suspendedUntil),
  };
}

/** Whether governance revoked `owner` (every key of theirs is dead, new ones are refused). */
export async function readOwnerRevoked(context: ChainContext, owner: Address): Promise<boolean> {
  const r = await call(context, () =>
    context.client.readContract({ address: context.registry, abi: keyRegistryAbi, functionName: "ownerRecord", args: [owner] }),
  );
  return r.revoked;
}

/** The owner a key id names: its first 20 bytes (registry v2 namespaces ids per owner). */
export function ownerOfKeyId(keyId: Hex): Address {
  return getAddress(keyId.slice(0, 42));
}

/** The versions after `keyId` in its lineage, oldest first, from KeyRotated events. */
export async function laterVersions(context: ChainContext, keyId: Hex): Promise<Hex[]> {
  const out: Hex[] = [];
  let id = keyId;
  for (let hops = 0; hops < 65_536; hops++) {
    const rotated = (await fetchRegistryLogs(context, { topics: [topic("KeyRotated"), id] })).find((l) => l.eventName === "KeyRotated");
    if (rotated?.eventName !== "KeyRotated") break;
    id = rotated.args.newKeyId;
    out.push(id);
  }
  return out;
}

export async function readPolicy(context: ChainContext) {
  return call(context, () => context.client.readContract({ address: context.registry, abi: keyRegistryAbi, functionName: "policy" }));
}

export type RegistryLog = ReturnType<typeof parseEventLogs<typeof keyRegistryAbi>>[number];

/** Registry logs matching raw `topics`, fetched in block chunks (public RPCs cap eth_getLogs ranges). */
export async function fetchRegistryLogs(
  context: ChainContext,
  { topics, fromBlock, toBlock }: { topics: (Hex | null)[]; fromBlock?: bigint; toBlock?: bigint },
): Promise<RegistryLog[]> {
  return call(context, async () => {
    const start = fromBlock ?? BigInt(context.manifest.deploymentBlock);
    const end = toBlock ?? (await context.client.getBlockNumber());
    const chunk = 10_000n;
    const logs: Log[] = [];
    for (let from = start; from <= end; from += chunk) {
      const to = from + chunk - 1n < end ? from + chunk - 1n : end;
      const raw = (await context.client.request({
        method: "eth_getLogs",
        params: [{ address: context.registry, topics, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }],
      })) as RpcLog[];
      logs.push(...raw.map((l) => formatLog(l)));
    }
    return parseEventLogs({ abi: keyRegistryAbi, logs });
  });
}

/** The topic-0 selector of the registry event `name`. */
export const topic = (name: string) => {
  const item = keyRegistryAbi.find((i) => i.type === "event" && i.name === name);
  if (!item) throw new Error(`KeyRegistry ABI has no event ${name}`);
  return toEventSelector(item as never);
};

/** Every registry event about `keyId`, oldest first. */
export async function keyHistory(context: ChainContext, keyId: Hex): Promise<RegistryLog[]> {
  const [direct, rotatedIn] = await Promise.all([
    fetchRegistryLogs(context, { topics: [null, keyId] }),
    fetchRegistryLogs(context, { topics: [topic("KeyRotated"), null, keyId] }),
  ]);
  return [...direct, ...rotatedIn].sort(byPosition);
}

function byPosition(a: RegistryLog, b: RegistryLog): number {
  return Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n)) || (a.logIndex ?? 0) - (b.logIndex ?? 0);
}

/** The label of `keyId`'s lineage: its own registration or that of the key it was rotated from. */
export async function lineageLabel(context: ChainContext, keyId: Hex, history?: RegistryLog[]): Promise<string | undefined> {
  let id = keyId;
  let logs = history ?? (await keyHistory(context, keyId));
  for (let hops = 0; hops < 65_536; hops++) {
    const registered = logs.find((l) => l.eventName === "KeyRegistered" && l.args.keyId === id);
    if (registered?.eventName === "KeyRegistered") return registered.args.label;
    const rotated = logs.find((l) => l.eventName === "KeyRotated" && l.args.newKeyId === id);
    if (rotated?.eventName !== "KeyRotated") return undefined;
    id = rotated.args.oldKeyId;
    logs = await keyHistory(context, id);
  }
  return undefined;
}

/** Keys of `owner` by lineage label, from KeyRegistered and KeyRotated events. */
export async function ownerKeysByLabel(context: ChainContext, owner: Address): Promise<Map<Hex, string>> {
  const ownerTopic = pad(owner.toLowerCase() as Hex, { size: 32 });
  const [registered, rotated] = await Promise.all([
    fetchRegistryLogs(context, { topics: [topic("KeyRegistered"), null, ownerTopic] }),
    fetchRegistryLogs(context, { topics: [topic("KeyRotated"), null, null, ownerTopic] }),
  ]);
  const labels = new Map<Hex, string>();
  for (const log of [...registered, ...rotated].sort(byPosition)) {
    if (log.eventName === "KeyRegistered") labels.set(log.args.keyId, log.args.label);
    else if (log.eventName === "KeyRotated") {
      const label = labels.get(log.args.oldKeyId);
      if (label !== undefined) labels.set(log.args.newKeyId, label);
    }
  }
  return labels;
}

export type DescribedEvent = { human: string; data: Record<string, unknown> };

/** One registry event as a human line and as a JSON record (NDJSON for `watch --json`). */
export function describeEvent(log: RegistryLog, scopeNames: readonly string[]): DescribedEvent {
  const a = log.args as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  const parts: string[] = [];
  const put = (name: string, value: unknown, human?: string) => {
    fields[name] = value;
    parts.push(`${name}=${human ?? String(value)}`);
  };
  for (const [name, value] of Object.entries(a)) {
    if (name === "algorithm") put(name, algorithmName(Number(value)));
    else if (name === "scopes") put(name, maskToNames(Number(value), scopeNames), maskToNames(Number(value), scopeNames).join(",") || "none");
    else if (["notBefore", "expiresAt", "oldExpiresAt", "until"].includes(name)) put(name, Number(value), formatTime(Number(value)));
    else if (name === "proof" || name === "publicKey") fields[name] = value;
    else if (name === "label" || name === "reason" || name === "name") put(name, value, JSON.stringify(value));
    else put(name, typeof value === "bigint" ? value.toString() : value);
  }
  const block = log.blockNumber ?? 0n;
  return {
    human: `block ${block} ${log.eventName} ${parts.join(" ")}`,
    data: { event: log.eventName, blockNumber: Number(block), transactionHash: log.transactionHash, logIndex: log.logIndex, args: fields },
  };
}

function algorithmName(id: number): string {
  try {
    return algorithmFromChain(id);
  } catch {
    return `algorithm ${id}`;
  }
}
