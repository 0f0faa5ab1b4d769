import type { KeyObject } from "node:crypto";
import { type Address, type GetLogsReturnType, getAbiItem, type Hex, hexToBytes } from "viem";
import { keyRegistryAbi } from "../generated/abis.ts";
import { type Algorithm, algorithmFromChain } from "../keys/index.ts";
import type { ResolvedKey, ResolveResult } from "../verifier/types.ts";
import { applyRegistryEvent } from "./keyState/applyRegistryEvent.ts";
import { publicKeyFromRaw } from "./publicKeyFromRaw.ts";
import { verifyProofOfPossession } from "./verifyProofOfPossession.ts";

/** The registry events that change what a verifier needs to know about a key. */
export const registryEvents = [
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRegistered" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRotated" }),
  getAbiItem({ abi: keyRegistryAbi, name: "OverlapExtended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRevoked" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeySuspended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyUnsuspended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "ScopeNamed" }),
] as const;

export type RegistryLog = GetLogsReturnType<undefined, typeof registryEvents, true>[number];

export type RegistryIndexParameters = { chainId: number; registry: Address };

export type RegistryIndexChanges = { keyIds: Hex[]; scopes: boolean };

export type RegistryIndex = {
  /** The key's current facts, or undefined when the index has never seen it. */
  get(keyId: string): ResolveResult | undefined;
  readonly size: number;
  /** Applies logs in chain order, remembering how to undo each one. */
  apply(logs: readonly RegistryLog[]): RegistryIndexChanges;
  /** Undoes everything applied from blocks after `blockNumber`. */
  rollback(blockNumber: number): RegistryIndexChanges;
  /** Forgets how to undo blocks up to `blockNumber` (they are final for us). */
  prune(blockNumber: number): void;
  clear(): void;
};

type KeyState = ResolvedKey["state"];

/** What never changes for a key id; the expensive checks run at most once, on first use. */
type KeyMaterial = {
  keyId: Hex;
  alg: Algorithm;
  owner: Address;
  raw: Uint8Array;
  proof: Uint8Array;
  checked?: { publicKey: KeyObject; proofOfPossession: "valid" | "invalid" } | null;
};

/** One immutable version of a key's record: every event replaces it, so undo is "put the old one back". */
type KeyRecord = {
  material: KeyMaterial;
  label: string | undefined;
  version: number;
  scopes: number;
  notBefore: number;
  expiresAt: number;
  state: KeyState;
  cache?: { generation: number; result: ResolveResult };
};

type Undo = { block: number; keyId: Hex; previous: KeyRecord | undefined } | { block: number; bit: number; previous: string };

const unknown: ResolveResult = Object.freeze({ status: "unknown" });

/**
 * The event-sourced state of a KeyRegistry. Every applied event pushes an undo
 * record (the key's previous record, or the scope bit's previous name) tagged with
 * its block, so a reorg rolls back exactly, without refetching history.
 */
export function createRegistryIndex({ chainId, registry }: RegistryIndexParameters): RegistryIndex {
  const keys = new Map<string, KeyRecord>();
  const scopeNames: string[] = Array.from({ length: 8 }, () => "");
  let scopeGeneration = 0;
  let namesByMask: (readonly string[] | undefined)[] = [];
  let journal: Undo[] = [];

  function namesOf(mask: number): readonly string[] {
    let names = namesByMask[mask];
    if (!names) {
      // A bit the DAO has not named cannot be required by name, so it is not listed.
      names = Object.freeze(scopeNames.filter((name, bit) => name !== "" && (mask >> bit) & 1));
      namesByMask[mask] = names;
    }
    return names;
  }

  function get(keyId: string): ResolveResult | undefined {
    const record = keys.get(keyId);
    if (!record) return undefined;
    if (record.cache?.generation === scopeGeneration) return record.cache.result;
    const result = build(record);
    record.cache = { generation: scopeGeneration, result };
    return result;
  }

  function build(record: KeyRecord): ResolveResult {
    const m = record.material;
    if (m.checked === undefined) {
      const publicKey = publicKeyFromRaw({ alg: m.alg, raw: m.raw });
      m.checked = publicKey
        ? {
            publicKey,
            proofOfPossession: verifyProofOfPossession({ alg: m.alg, publicKey, proof: m.proof, chainId, registry, owner: m.owner, keyId: m.keyId })
              ? "valid"
              : "invalid",
          }
        : null;
    }
    // Bytes that are no public key can sign nothing: treat the id as unknown.
    if (m.checked === null) return unknown;
    const key: ResolvedKey = Object.freeze({
      keyId: m.keyId,
      alg: m.alg,
      publicKey: m.checked.publicKey,
      owner: m.owner,
      label: record.label,
      version: record.version,
      scopes: namesOf(record.scopes),
      notBefore: record.notBefore,
      expiresAt: record.expiresAt,
      state: record.state,
      proofOfPossession: m.checked.proofOfPossession,
    });
    return Object.freeze({ status: "found", key });
  }

  function setKey(block: number, anyCaseKeyId: Hex, next: KeyRecord, changes: RegistryIndexChanges) {
    const keyId = anyCaseKeyId.toLowerCase() as Hex;
    journal.push({ block, keyId, previous: keys.get(keyId) });
    keys.set(keyId, next);
    changes.keyIds.push(keyId);
  }

  function apply(logs: readonly RegistryLog[]): RegistryIndexChanges {
    const changes: RegistryIndexChanges = { keyIds: [], scopes: false };
    const ordered = [...logs].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
    for (const log of ordered) {
      if (log.removed) continue;
      const block = Number(log.blockNumber);
      if (log.eventName === "ScopeNamed") {
        const bit = log.args.bit;
        if (bit > 7) continue;
        journal.push({ block, bit, previous: scopeNames[bit]! });
        scopeNames[bit] = log.args.name;
        renamed(changes);
        continue;
      }
      // How an event changes a key is defined once, in applyRegistryEvent (shared with the indexer).
      for (const { keyId, next, created } of applyRegistryEvent({ event: log, get: (id) => keys.get(id) })) {
        const material = created ? materialOf(keyId, created.algorithm, created.owner, created.publicKey, created.proof) : keys.get(keyId)?.material;
        if (!material) continue;
        const { label, version, scopes, notBefore, expiresAt, state } = next;
        setKey(block, keyId, { material, label, version, scopes, notBefore, expiresAt, state }, changes);
      }
    }
    return changes;
  }

  function renamed(changes: RegistryIndexChanges) {
    scopeGeneration++;
    namesByMask = [];
    changes.scopes = true;
  }

  function rollback(blockNumber: number): RegistryIndexChanges {
    const changes: RegistryIndexChanges = { keyIds: [], scopes: false };
    while (journal.length && journal[journal.length - 1]!.block > blockNumber) {
      const undo = journal.pop()!;
      if ("keyId" in undo) {
        if (undo.previous) keys.set(undo.keyId, undo.previous);
        else keys.delete(undo.keyId);
        changes.keyIds.push(undo.keyId);
      } else {
        scopeNames[undo.bit] = undo.previous;
        renamed(changes);
      }
    }
    return changes;
  }

  function prune(blockNumber: number) {
    let n = 0;
    while (n < journal.length && journal[n]!.block <= blockNumber) n++;
    if (n) journal = journal.slice(n);
  }

  function clear() {
    keys.clear();
    scopeNames.fill("");
    journal = [];
    scopeGeneration++;
    namesByMask = [];
  }

  return {
    get,
    get size() {
      return keys.size;
    },
    apply,
    rollback,
    prune,
    clear,
  };
}

function materialOf(keyId: Hex, algorithm: number, owner: Address, publicKey: Hex, proof: Hex): KeyMaterial | undefined {
  let alg: Algorithm;
  try {
    alg = algorithmFromChain(algorithm);
  } catch {
    return undefined;
  }
  return { keyId: keyId.toLowerCase() as Hex, alg, owner, raw: hexToBytes(publicKey), proof: hexToBytes(proof) };
}
