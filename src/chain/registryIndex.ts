import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { type Address, bytesToHex, getAbiItem, getAddress, type GetLogsReturnType, type Hex, hexToBytes } from "viem";
import { keyRegistryAbi } from "../generated/abis.ts";
import { type Algorithm, algorithms, algorithmFromChain, algorithmToChain } from "../keys/index.ts";
import type { ResolvedKey, ResolveResult } from "../verifier/types.ts";
import { applyRegistryEvent } from "./keyState/applyRegistryEvent.ts";
import { effectiveKeyState } from "./keyState/effectiveKeyState.ts";
import { applyRegistryGlobalEvent, initialRegistryGlobals, isOwnerRevoked, policyProblem } from "./keyState/applyRegistryGlobalEvent.ts";
import type { KeyLifecycleState, KeyStateRecord, RegistryGlobals, RegistryPolicy } from "./keyState/types.ts";
import { publicKeyFromRaw } from "./publicKeyFromRaw.ts";
import { verifyProofOfPossession } from "./verifyProofOfPossession.ts";

/** The registry events that change what a verifier needs to know about a key. */
export const registryEvents = [
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRegistered" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRotated" }),
  getAbiItem({ abi: keyRegistryAbi, name: "OverlapExtended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "OverlapEnded" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyRevoked" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeySuspended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "SuspensionExtended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "KeyUnsuspended" }),
  getAbiItem({ abi: keyRegistryAbi, name: "ScopeNamed" }),
  getAbiItem({ abi: keyRegistryAbi, name: "PolicyUpdated" }),
  getAbiItem({ abi: keyRegistryAbi, name: "OwnerRevoked" }),
] as const;

export type RegistryLog = GetLogsReturnType<undefined, typeof registryEvents, true>[number];

export type RegistryIndexParameters = {
  chainId: number;
  registry: Address;
  /** Resolved keys (with their KeyObject) kept ready for the hot path. Default 10,000. */
  cacheSize?: number | undefined;
  /** A state from `exportState` (e.g. read from a checkpoint) to start from. */
  state?: RegistryIndexState | undefined;
};

/**
 * `scopes`: scope names changed; `policy`: the policy or the set of revoked owners
 * changed (every key's verdict may differ).
 */
export type RegistryIndexChanges = { keyIds: Hex[]; scopes: boolean; policy: boolean };

/**
 * The whole index as flat bytes, for checkpoints. `records` holds `size` records of
 * `recordBytes` bytes (layout in docs/resolver.md), `labels` the lineage labels.
 */
export type RegistryIndexState = {
  size: number;
  records: Uint8Array;
  labels: readonly string[];
  scopeNames: readonly string[];
  /** The live policy (undefined before the first PolicyUpdated). */
  policy: RegistryPolicy | undefined;
  /** Owners governance revoked (lower-case addresses). */
  revokedOwners: readonly string[];
};

export type RegistryIndex = {
  /** The key's current facts, or undefined when the index has never seen it. Any hex case. */
  get(keyId: string): ResolveResult | undefined;
  readonly size: number;
  /** Applies logs in chain order, remembering how to undo each one. */
  apply(logs: readonly RegistryLog[]): RegistryIndexChanges;
  /** Undoes everything applied from blocks after `blockNumber`. */
  rollback(blockNumber: number): RegistryIndexChanges;
  /** Forgets how to undo blocks up to `blockNumber` (they are final for us). */
  prune(blockNumber: number): void;
  clear(): void;
  /** A copy of the index's state (not its undo journal), for a checkpoint. */
  exportState(): RegistryIndexState;
  /** Bytes held by the index's own typed arrays (records and hash table). */
  readonly allocatedBytes: number;
};

/**
 * One key's record, `recordBytes` bytes, in pages of `pageRecords`:
 *   0 keyId (32; its first 20 bytes are the owner) · 32 public key (33, zero-padded) ·
 *   65 public key length (1) · 66 proof (64) · 130 suspendedUntil (u32 LE) ·
 *   134 reserved (16, zero) · 150 scopes (1) · 151 flags (1: state bits 0-1,
 *   algorithm bits 2-3, proof check bits 4-5, proof not 64 bytes bit 6) ·
 *   152 notBefore (u32 LE) · 156 expiresAt (u32 LE) · 160 label id (u32 LE, none: 0xffffffff) ·
 *   164 version (u32 LE).
 */
export const recordBytes = 168;
const pageShift = 10;
const pageRecords = 1 << pageShift;
const noLabel = 0xffffffff;
const states: readonly KeyLifecycleState[] = ["active", "suspended", "revoked"];
/** Proof check results, kept so the expensive check runs at most once per key while it stays indexed. */
const unchecked = 0;
const proofValid = 1;
const proofInvalid = 2;
const notAKey = 3;

type Undo =
  | { block: number; slot: number; previous: Uint8Array | undefined; label: string | undefined }
  | { block: number; globals: RegistryGlobals };

const unknown: ResolveResult = Object.freeze({ status: "unknown" });

/**
 * The event-sourced state of a KeyRegistry, stored compactly: every key is one
 * fixed-size record in paged byte arrays, found through an open-addressing hash
 * table over the key id bytes (seeded per process, so grinding key ids cannot
 * build long probe chains). Resolved keys with their KeyObject are built on first
 * use and kept in a bounded two-generation cache, so the hot path is one Map hit
 * while memory per key stays about 190 B. Every applied event pushes an undo
 * record tagged with its block, so a reorg rolls back exactly.
 */
export function createRegistryIndex({ chainId, registry, cacheSize = 10_000, state }: RegistryIndexParameters): RegistryIndex {
  const pages: Uint8Array[] = [];
  let views: DataView[] = [];
  let count = 0;
  let table = new Int32Array(1 << 10);
  let mask = table.length - 1;
  let labels: string[] = [];
  /** Policy and scope names, changed only through the shared reducer (applyRegistryGlobalEvent). */
  let globals: RegistryGlobals = initialRegistryGlobals;
  let namesByMask: (readonly string[] | undefined)[] = [];
  let journal: Undo[] = [];
  const seed = randomBytes(4).readUInt32LE(0) | 1;
  const scratch = new Uint8Array(32);
  const halfCache = Math.max(1, Math.floor(cacheSize / 2));
  let hot = new Map<string, ResolveResult>();
  let cold = new Map<string, ResolveResult>();

  if (state) importState(state);

  function page(slot: number): Uint8Array {
    return pages[slot >>> pageShift]!;
  }
  function offset(slot: number): number {
    return (slot & (pageRecords - 1)) * recordBytes;
  }
  function view(slot: number): DataView {
    return views[slot >>> pageShift]!;
  }

  function hashOf(bytes: Uint8Array, at: number): number {
    let h = seed;
    for (let i = 0; i < 32; i += 4) {
      const w = bytes[at + i]! | (bytes[at + i + 1]! << 8) | (bytes[at + i + 2]! << 16) | (bytes[at + i + 3]! << 24);
      h = Math.imul(h ^ w, 0x9e3779b1);
      h ^= h >>> 15;
    }
    return Math.imul(h ^ (h >>> 13), 0x85ebca6b) >>> 0;
  }

  /** The slot of the key id in `bytes[at..at+32]`, or -1. */
  function find(bytes: Uint8Array, at: number): number {
    for (let i = hashOf(bytes, at) & mask; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      const p = page(slot);
      const o = offset(slot);
      let same = true;
      for (let j = 0; j < 32; j++) {
        if (p[o + j] !== bytes[at + j]) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  function insert(slot: number) {
    const p = page(slot);
    let i = hashOf(p, offset(slot)) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }

  function grow() {
    table = new Int32Array(table.length * 2);
    mask = table.length - 1;
    for (let slot = 0; slot < count; slot++) insert(slot);
  }

  /** Removes the newest slot (undo of a creation: journal order is allocation order). */
  function removeLast() {
    const slot = count - 1;
    // Linear probing: the newest entry sits at the end of its probe run, so clearing it
    // leaves every other entry reachable.
    for (let i = hashOf(page(slot), offset(slot)) & mask; ; i = (i + 1) & mask) {
      if (table[i] === slot + 1) {
        table[i] = 0;
        break;
      }
    }
    page(slot).fill(0, offset(slot), offset(slot) + recordBytes);
    count--;
  }

  function allocate(): number {
    if ((count + 1) * 10 > table.length * 7) grow();
    const slot = count++;
    if (slot >>> pageShift >= pages.length) {
      const p = new Uint8Array(pageRecords * recordBytes);
      pages.push(p);
      views.push(new DataView(p.buffer));
    }
    return slot;
  }

  /** Parses 0x + 64 hex digits (any case) into `scratch`. */
  function parseKeyId(keyId: string): boolean {
    if (typeof keyId !== "string" || keyId.length !== 66 || keyId.charCodeAt(0) !== 48 || (keyId.charCodeAt(1) | 32) !== 120) return false;
    for (let i = 0; i < 32; i++) {
      const hi = nibble(keyId.charCodeAt(2 + 2 * i));
      const lo = nibble(keyId.charCodeAt(3 + 2 * i));
      if ((hi | lo) < 0) return false;
      scratch[i] = (hi << 4) | lo;
    }
    return true;
  }

  function slotOf(keyId: string): number {
    return parseKeyId(keyId) ? find(scratch, 0) : -1;
  }

  function keyIdOf(slot: number): Hex {
    const o = offset(slot);
    return bytesToHex(page(slot).subarray(o, o + 32));
  }

  function recordOf(slot: number): KeyStateRecord {
    const p = page(slot);
    const o = offset(slot);
    const v = view(slot);
    const labelId = v.getUint32(o + 160, true);
    return {
      label: labelId === noLabel ? undefined : labels[labelId],
      version: v.getUint32(o + 164, true),
      scopes: p[o + 150]!,
      notBefore: v.getUint32(o + 152, true),
      expiresAt: v.getUint32(o + 156, true),
      state: states[p[o + 151]! & 3]!,
      suspendedUntil: v.getUint32(o + 130, true),
    };
  }

  function namesOf(bits: number): readonly string[] {
    let names = namesByMask[bits];
    if (!names) {
      // A bit the DAO has not named cannot be required by name, so it is not listed.
      names = Object.freeze(globals.scopeNames.filter((name, bit) => name !== "" && (bits >> bit) & 1));
      namesByMask[bits] = names;
    }
    return names;
  }

  function get(keyId: string): ResolveResult | undefined {
    const hit = hot.get(keyId);
    if (hit) return hit;
    return miss(keyId);
  }

  function miss(keyId: string): ResolveResult | undefined {
    // Cached under the lower-case id only, so case variants of one id cannot flood the cache.
    const id = typeof keyId === "string" ? keyId.toLowerCase() : "";
    let result = id === keyId ? undefined : hot.get(id);
    if (result) return result;
    result = cold.get(id);
    if (!result) {
      const slot = slotOf(id);
      if (slot < 0) return undefined;
      result = build(slot);
    }
    if (hot.size >= halfCache) {
      cold = hot;
      hot = new Map();
    }
    hot.set(id, result);
    return result;
  }

  function build(slot: number): ResolveResult {
    const p = page(slot);
    const o = offset(slot);
    const flags = p[o + 151]!;
    let check = (flags >> 4) & 3;
    if (check === notAKey) return unknown;
    const alg = algorithms[(flags >> 2) & 3]!;
    const raw = p.slice(o + 32, o + 32 + p[o + 65]!);
    const publicKey = publicKeyFromRaw({ alg, raw });
    // Bytes that are no public key can sign nothing: treat the id as unknown.
    if (!publicKey) {
      p[o + 151] = (flags & ~0x30) | (notAKey << 4);
      return unknown;
    }
    const keyId = keyIdOf(slot);
    const owner = getAddress(bytesToHex(p.subarray(o, o + 20)));
    if (check === unchecked) {
      const proof = p.subarray(o + 66, o + 130);
      const valid = (flags & 0x40) === 0 && verifyProofOfPossession({ alg, publicKey, proof, chainId, registry, owner, keyId });
      check = valid ? proofValid : proofInvalid;
      p[o + 151] = (flags & ~0x30) | (check << 4);
    }
    const record = recordOf(slot);
    // An owner revoked by governance has every key revoked, with no per-key event, and
    // wins over later per-key events (the shared precedence; lapses are judged by the caller).
    const state = effectiveKeyState({ record, ownerRevoked: isOwnerRevoked(globals, keyId) });
    const key: ResolvedKey = Object.freeze({
      keyId,
      alg,
      publicKey: publicKey as KeyObject,
      owner,
      label: record.label,
      version: record.version,
      scopes: namesOf(record.scopes),
      notBefore: record.notBefore,
      expiresAt: record.expiresAt,
      state,
      ...(state === "suspended" ? { suspendedUntil: record.suspendedUntil } : {}),
      proofOfPossession: check === proofValid ? "valid" : "invalid",
      // Judged against the current policy (issue 9); the cache is dropped when it changes.
      notAllowed: policyProblem(globals.policy, { algorithm: algorithmToChain(alg), scopes: record.scopes, notBefore: record.notBefore, expiresAt: record.expiresAt }),
    });
    return Object.freeze({ status: "found", key });
  }

  function forget(keyId: Hex) {
    hot.delete(keyId);
    cold.delete(keyId);
  }

  function writeRecord(slot: number, next: KeyStateRecord, labelId: number) {
    const p = page(slot);
    const o = offset(slot);
    const v = view(slot);
    p[o + 150] = next.scopes & 0xff;
    p[o + 151] = (p[o + 151]! & ~3) | Math.max(0, states.indexOf(next.state));
    v.setUint32(o + 152, next.notBefore >>> 0, true);
    v.setUint32(o + 156, next.expiresAt >>> 0, true);
    v.setUint32(o + 160, labelId, true);
    v.setUint32(o + 164, next.version >>> 0, true);
    v.setUint32(o + 130, next.suspendedUntil >>> 0, true);
  }

  /** The label id for `label` on `slot`: the predecessor's when the lineage keeps its label. */
  function labelIdFor(label: string | undefined, sameAs: number): { id: number; pushed: string | undefined } {
    if (label === undefined) return { id: noLabel, pushed: undefined };
    if (sameAs >= 0) {
      const id = view(sameAs).getUint32(offset(sameAs) + 160, true);
      if (id !== noLabel && labels[id] === label) return { id, pushed: undefined };
    }
    labels.push(label);
    return { id: labels.length - 1, pushed: label };
  }

  function apply(logs: readonly RegistryLog[]): RegistryIndexChanges {
    const changes: RegistryIndexChanges = { keyIds: [], scopes: false, policy: false };
    const ordered = [...logs].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
    for (const log of ordered) {
      if (log.removed) continue;
      const block = Number(log.blockNumber);
      if (log.eventName === "ScopeNamed" || log.eventName === "PolicyUpdated" || log.eventName === "OwnerRevoked") {
        // Registry-wide facts go through the shared reducer's globals too.
        const next = applyRegistryGlobalEvent({ event: log, globals });
        if (next === globals) continue;
        journal.push({ block, globals });
        globalsChanged(changes, globals, next);
        globals = next;
        continue;
      }
      // How an event changes a key is defined once, in applyRegistryEvent (shared with the indexer).
      const get = (id: Hex) => {
        const slot = slotOf(id);
        return slot < 0 ? undefined : recordOf(slot);
      };
      for (const { keyId, next, created } of applyRegistryEvent({ event: log, get })) {
        let slot = slotOf(keyId);
        if (created) {
          let alg: Algorithm;
          try {
            alg = algorithmFromChain(created.algorithm);
          } catch {
            continue;
          }
          const previous = slot < 0 ? undefined : snapshot(slot);
          if (slot < 0) {
            slot = allocate();
            page(slot).set(scratch, offset(slot));
            insert(slot);
          }
          const { id, pushed } = labelIdFor(next.label, created.predecessor ? slotOf(created.predecessor) : -1);
          writeMaterial(slot, alg, hexToBytes(created.publicKey), hexToBytes(created.proof));
          writeRecord(slot, next, id);
          journal.push({ block, slot, previous, label: pushed });
        } else {
          if (slot < 0) continue;
          const previous = snapshot(slot);
          const labelId = view(slot).getUint32(offset(slot) + 160, true);
          const { id, pushed } = next.label === (labelId === noLabel ? undefined : labels[labelId]) ? { id: labelId, pushed: undefined } : labelIdFor(next.label, -1);
          writeRecord(slot, next, id);
          journal.push({ block, slot, previous, label: pushed });
        }
        forget(keyId);
        changes.keyIds.push(keyId);
      }
    }
    return changes;
  }

  function writeMaterial(slot: number, alg: Algorithm, raw: Uint8Array, proof: Uint8Array) {
    const p = page(slot);
    const o = offset(slot);
    p.fill(0, o + 32, o + 150);
    const fits = raw.length <= 33;
    if (fits) p.set(raw, o + 32);
    p[o + 65] = fits ? raw.length : 0;
    if (proof.length === 64) p.set(proof, o + 66);
    const check = fits ? unchecked : notAKey;
    p[o + 151] = (algorithms.indexOf(alg) << 2) | (check << 4) | (proof.length === 64 ? 0 : 0x40);
  }

  function snapshot(slot: number): Uint8Array {
    const o = offset(slot);
    return page(slot).slice(o, o + recordBytes);
  }

  function globalsChanged(changes: RegistryIndexChanges, before: RegistryGlobals, after: RegistryGlobals) {
    if (before.scopeNames !== after.scopeNames) {
      namesByMask = [];
      changes.scopes = true;
    }
    if (before.policy !== after.policy || before.revokedOwners !== after.revokedOwners) changes.policy = true;
    // Every resolved key carries names and the policy verdict: rebuild on next use.
    hot = new Map();
    cold = new Map();
  }

  function rollback(blockNumber: number): RegistryIndexChanges {
    const changes: RegistryIndexChanges = { keyIds: [], scopes: false, policy: false };
    while (journal.length && journal[journal.length - 1]!.block > blockNumber) {
      const undo = journal.pop()!;
      if ("slot" in undo) {
        const keyId = keyIdOf(undo.slot);
        if (undo.label !== undefined) labels.pop();
        if (undo.previous) page(undo.slot).set(undo.previous, offset(undo.slot));
        else removeLast();
        forget(keyId);
        changes.keyIds.push(keyId);
      } else {
        globalsChanged(changes, globals, undo.globals);
        globals = undo.globals;
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
    pages.length = 0;
    views = [];
    count = 0;
    table = new Int32Array(1 << 10);
    mask = table.length - 1;
    labels = [];
    globals = initialRegistryGlobals;
    journal = [];
    namesByMask = [];
    hot = new Map();
    cold = new Map();
  }

  function exportState(): RegistryIndexState {
    const records = new Uint8Array(count * recordBytes);
    for (let i = 0; i < pages.length; i++) {
      const n = Math.min(pageRecords, count - i * pageRecords);
      if (n > 0) records.set(pages[i]!.subarray(0, n * recordBytes), i * pageRecords * recordBytes);
    }
    // Proof checks are not exported: a checkpoint never vouches for a signature check.
    for (let o = 151; o < records.length; o += recordBytes) if (((records[o]! >> 4) & 3) !== notAKey) records[o] = records[o]! & ~0x30;
    return {
      size: count,
      records,
      labels: [...labels],
      scopeNames: [...globals.scopeNames],
      policy: globals.policy && { ...globals.policy },
      revokedOwners: [...globals.revokedOwners],
    };
  }

  function importState(s: RegistryIndexState) {
    if (s.records.length !== s.size * recordBytes) throw new Error(`state holds ${s.records.length} bytes for ${s.size} records`);
    if (s.scopeNames.length !== 8) throw new Error("state must name 8 scope bits");
    if (s.policy !== undefined && !isPolicy(s.policy)) throw new Error("state has an invalid policy");
    if (!Array.isArray(s.revokedOwners) || !s.revokedOwners.every((o) => typeof o === "string" && /^0x[0-9a-f]{40}$/.test(o))) {
      throw new Error("state has invalid revoked owners");
    }
    labels = [...s.labels];
    globals = { policy: s.policy && { ...s.policy }, scopeNames: Object.freeze([...s.scopeNames]), revokedOwners: Object.freeze([...s.revokedOwners]) };
    while (table.length * 7 < s.size * 10 + 10) table = new Int32Array(table.length * 2);
    mask = table.length - 1;
    for (let slot = 0; slot < s.size; slot++) {
      const from = slot * recordBytes;
      const flags = s.records[from + 151]!;
      const labelId = new DataView(s.records.buffer, s.records.byteOffset + from).getUint32(160, true);
      if ((flags & 3) > 2 || ((flags >> 2) & 3) > 2 || (flags & 0x80) !== 0 || s.records[from + 65]! > 33) throw new Error(`record ${slot} has invalid flags`);
      if (labelId !== noLabel && labelId >= labels.length) throw new Error(`record ${slot} names label ${labelId} of ${labels.length}`);
      if (find(s.records, from) >= 0) throw new Error(`record ${slot} repeats a key id`);
      const at = allocate();
      page(at).set(s.records.subarray(from, from + recordBytes), offset(at));
      const o = offset(at) + 151;
      if (((page(at)[o]! >> 4) & 3) !== notAKey) page(at)[o] = page(at)[o]! & ~0x30;
      insert(at);
    }
  }

  return {
    get,
    get size() {
      return count;
    },
    apply,
    rollback,
    prune,
    clear,
    exportState,
    get allocatedBytes() {
      return pages.length * pageRecords * recordBytes + table.byteLength;
    },
  };
}

function isPolicy(p: unknown): p is RegistryPolicy {
  if (!p || typeof p !== "object") return false;
  const { maxLifetime, maxOverlap, maxSuspension, maxKeysPerOwner, allowedAlgorithms, allowedScopes } = p as Record<string, unknown>;
  const u32 = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
  const u16 = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff;
  const u8 = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 0xff;
  return u32(maxLifetime) && u32(maxOverlap) && u32(maxSuspension) && u16(maxKeysPerOwner) && u8(allowedAlgorithms) && u8(allowedScopes);
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
