import type { Address, Hex } from "viem";
import { type Algorithm, algorithms } from "../../../src/keys/algorithms.ts";

export type KeyState = "active" | "suspended" | "revoked";

export type KeyEventKind =
  | "registered"
  | "rotated-in"
  | "rotated-out"
  | "overlap-extended"
  | "overlap-ended"
  | "revoked"
  | "suspended"
  | "unsuspended";

export type KeyEvent = {
  kind: KeyEventKind;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
  /** Who acted, when the event says (revoker, guardian, DAO). */
  by?: Address | undefined;
  reason?: string | undefined;
  /** The key's expiry after the event, for rotations and extensions. */
  expiresAt?: number | undefined;
  /** The other key of a rotation. */
  otherKeyId?: Hex | undefined;
};

export type IndexedKey = {
  keyId: Hex;
  owner: Address;
  alg: Algorithm;
  label: string;
  version: number;
  scopes: number;
  notBefore: number;
  expiresAt: number;
  state: KeyState;
  /** Rotated to a successor (its expiry was cut to the overlap). */
  rotated: boolean;
  /** Its expiry before the rotation cut it: `extendOverlap` cannot go past it. */
  originalExpiresAt?: number | undefined;
  /** Its successor was rotated in turn: it can never be extended again. */
  superseded?: boolean | undefined;
  previousKeyId?: Hex | undefined;
  nextKeyId?: Hex | undefined;
  /** Key id of version 1: identifies the lineage. */
  lineageId: Hex;
  publicKey: Hex;
  proof: Hex;
  events: KeyEvent[];
};

export type RegistryPolicy = { maxLifetime: number; maxOverlap: number; allowedAlgorithms: number; allowedScopes: number };

export type RegistryIndex = {
  keys: ReadonlyMap<Hex, IndexedKey>;
  policy: RegistryPolicy | undefined;
  /** Scope names by bit, as ScopeNamed events left them ("" = unnamed). */
  scopeNames: readonly string[];
  guardians: readonly Address[];
  governance: Address | undefined;
};

/** A registry event as viem's `parseEventLogs` returns it. */
export type RegistryLog = {
  eventName: string;
  args: Record<string, unknown>;
  blockNumber: bigint | null;
  logIndex: number | null;
  transactionHash: Hex | null;
};

export const emptyRegistryIndex: RegistryIndex = {
  keys: new Map(),
  policy: undefined,
  scopeNames: ["", "", "", "", "", "", "", ""],
  guardians: [],
  governance: undefined,
};

/**
 * Folds registry events (in chain order) into the complete registry state: every
 * key with its lineage and history, the policy, scope names and guardians. The
 * events carry everything, so no per-key contract call is needed.
 */
export function applyRegistryLogs(index: RegistryIndex, logs: readonly RegistryLog[]): RegistryIndex {
  if (logs.length === 0) return index;
  const keys = new Map(index.keys);
  let { policy, governance } = index;
  const scopeNames = [...index.scopeNames];
  const guardians = new Set(index.guardians);

  const update = (keyId: Hex, change: (key: IndexedKey) => Partial<IndexedKey>, event?: KeyEvent) => {
    const key = keys.get(keyId);
    if (!key) return;
    keys.set(keyId, { ...key, ...change(key), events: event ? [...key.events, event] : key.events });
  };

  for (const log of logs) {
    const a = log.args;
    const at = {
      blockNumber: log.blockNumber ?? 0n,
      logIndex: log.logIndex ?? 0,
      transactionHash: log.transactionHash ?? "0x",
    };
    switch (log.eventName) {
      case "KeyRegistered": {
        const keyId = a.keyId as Hex;
        keys.set(keyId, {
          keyId,
          owner: a.owner as Address,
          alg: algorithmOf(a.algorithm),
          label: a.label as string,
          version: 1,
          scopes: Number(a.scopes),
          notBefore: Number(a.notBefore),
          expiresAt: Number(a.expiresAt),
          state: "active",
          rotated: false,
          lineageId: keyId,
          publicKey: a.publicKey as Hex,
          proof: a.proof as Hex,
          events: [{ kind: "registered", ...at, by: a.owner as Address }],
        });
        break;
      }
      case "KeyRotated": {
        const oldKeyId = a.oldKeyId as Hex;
        const newKeyId = a.newKeyId as Hex;
        const old = keys.get(oldKeyId);
        // The key two versions behind the new head can never be extended again (registry v2).
        const before = old?.previousKeyId ? keys.get(old.previousKeyId) : undefined;
        if (before && before.state !== "revoked") keys.set(before.keyId, { ...before, superseded: true });
        update(
          oldKeyId,
          (k) => ({ rotated: true, nextKeyId: newKeyId, originalExpiresAt: k.expiresAt, expiresAt: Number(a.oldExpiresAt) }),
          { kind: "rotated-out", ...at, otherKeyId: newKeyId, expiresAt: Number(a.oldExpiresAt) },
        );
        keys.set(newKeyId, {
          keyId: newKeyId,
          owner: a.owner as Address,
          alg: algorithmOf(a.algorithm),
          label: old?.label ?? "",
          version: Number(a.version),
          scopes: Number(a.scopes),
          notBefore: Number(a.notBefore),
          expiresAt: Number(a.expiresAt),
          state: "active",
          rotated: false,
          previousKeyId: oldKeyId,
          lineageId: old?.lineageId ?? oldKeyId,
          publicKey: a.publicKey as Hex,
          proof: a.proof as Hex,
          events: [{ kind: "rotated-in", ...at, by: a.owner as Address, otherKeyId: oldKeyId }],
        });
        break;
      }
      case "OverlapExtended":
        update(a.keyId as Hex, () => ({ expiresAt: Number(a.expiresAt) }), {
          kind: "overlap-extended",
          ...at,
          expiresAt: Number(a.expiresAt),
        });
        break;
      case "OverlapEnded":
        update(a.keyId as Hex, () => ({ expiresAt: Number(a.expiresAt) }), {
          kind: "overlap-ended",
          ...at,
          expiresAt: Number(a.expiresAt),
        });
        break;
      case "KeyRevoked":
        update(a.keyId as Hex, () => ({ state: "revoked" }), { kind: "revoked", ...at, by: a.by as Address, reason: a.reason as string });
        break;
      case "KeySuspended":
        update(a.keyId as Hex, () => ({ state: "suspended" }), {
          kind: "suspended",
          ...at,
          by: a.guardian as Address,
          reason: a.reason as string,
        });
        break;
      case "KeyUnsuspended":
        update(a.keyId as Hex, () => ({ state: "active" }), { kind: "unsuspended", ...at, by: a.by as Address });
        break;
      case "PolicyUpdated":
        policy = {
          maxLifetime: Number(a.maxLifetime),
          maxOverlap: Number(a.maxOverlap),
          allowedAlgorithms: Number(a.allowedAlgorithms),
          allowedScopes: Number(a.allowedScopes),
        };
        break;
      case "ScopeNamed":
        scopeNames[Number(a.bit)] = a.name as string;
        break;
      case "GuardianUpdated":
        if (a.enabled) guardians.add(a.guardian as Address);
        else guardians.delete(a.guardian as Address);
        break;
      case "GovernanceTransferred":
        governance = a.newGovernance as Address;
        break;
    }
  }
  return { keys, policy, scopeNames, guardians: [...guardians], governance };
}

function algorithmOf(value: unknown): Algorithm {
  return algorithms[Number(value) - 1] ?? "ed25519";
}
