// An in-memory model of KeyRegistry (registry v2) for the stateful fuzz: what each
// operation should do (exact events, storage slots it may write) or refuse (exact
// custom error and arguments), in the order the contract checks.
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { type Address, encodeAbiParameters, type Hex, hexToBytes, keccak256, zeroAddress } from "viem";
import { computeKeyId, proofOfPossessionMessage } from "../../src/keys/index.ts";
import { KeyState, type NewKey, type Policy, Reason } from "./fixtures.ts";

export type ModelKey = {
  owner: Address;
  algorithm: number;
  state: number;
  version: number;
  scopes: number;
  notBefore: number;
  expiresAt: number;
  rotated: boolean;
  label: string;
  publicKey: Hex;
  /** The key this one rotated out (undefined for version 1). */
  predecessor: Hex | undefined;
  /** The expiry it had before its rotation cut it (0 until rotated). */
  originalExpiresAt: number;
  /** Its successor was rotated in turn: never extendable again. */
  superseded: boolean;
  /** The key that rotated this one out (undefined while it is its lineage's head). */
  successor: Hex | undefined;
  /** When a guardian's suspension lapses (0 when none was set or the DAO lifted it). */
  suspendedUntil: number;
  /** A guardian suspended it and the DAO has not unsuspended it since. */
  suspensionSpent: boolean;
  /** The proof of possession it was registered with (as emitted). */
  proof: Hex;
  /** A revoked head whose place under the cap `releaseKeys` gave back (absent: not released). */
  released?: boolean;
};

/** `IKeyRegistry.OwnerRecord`. */
export type ModelOwner = { unreleasedLineages: number; revoked: boolean };

export type RegistryModel = {
  /** Timestamp of the latest block. */
  now: number;
  policy: Policy;
  governance: Address;
  pendingGovernance: Address;
  guardians: Set<Address>;
  /** Every guardian ever appointed after deployment (the registry lists them to refresh their cached maxSuspension). */
  listedGuardians?: Set<Address>;
  scopeNames: string[];
  keys: Map<Hex, ModelKey>;
  /** Key ids in registration order (the fuzz picks keys by index). */
  ids: Hex[];
  /** Owners the registry has a record for (lower-case addresses). */
  owners: Map<Address, ModelOwner>;
  /** Chain id and registry address: the proof-of-possession message names them. */
  chainId: number;
  registry: Address;
};

export type RegistryOp =
  | { name: "register"; key: NewKey; label: string }
  | { name: "rotate"; oldKeyId: Hex; key: NewKey; overlap: number }
  | { name: "extendOverlap"; keyId: Hex; expiresAt: number }
  | { name: "revoke"; keyId: Hex; reason: string }
  | { name: "revokeBatch"; keyIds: Hex[]; reason: string }
  | { name: "releaseKeys"; keyIds: Hex[] }
  | { name: "suspend"; keyId: Hex; reason: string }
  | { name: "governanceRevoke"; keyId: Hex; reason: string }
  | { name: "unsuspend"; keyId: Hex }
  | { name: "governanceRevokeBatch"; keyIds: Hex[]; reason: string }
  | { name: "governanceRevokeLineage"; keyId: Hex; reason: string }
  | { name: "governanceRevokeOwner"; owner: Address; reason: string }
  | { name: "extendSuspension"; keyId: Hex; until: number }
  | { name: "unsuspendBatch"; keyIds: Hex[] }
  | { name: "setPolicy"; policy: Policy }
  | { name: "setScopeName"; bit: number; scopeName: string }
  | { name: "setGuardian"; guardian: Address; enabled: boolean }
  | { name: "transferGovernance"; newGovernance: Address }
  | { name: "acceptGovernance" };

export type Refusal = { ok: false; error: string; args: readonly unknown[] };
export type Success = {
  ok: true;
  events: { eventName: string; args: Record<string, unknown> }[];
  /** Keys whose record changes (or is created). */
  keys: Hex[];
  /** Storage slots the transaction may write. */
  slots: bigint[];
  /** Applies the operation to the model. */
  commit(): void;
};
export type Outcome = Refusal | Success;

export type PredictParameters = { model: RegistryModel; op: RegistryOp; sender: Address; time: number };

const MAX_BATCH = 256;
const U32 = 2 ** 32 - 1;
/**
 * Storage slots in KeyRegistry's declaration order, after OpenZeppelin EIP712's two
 * (its name and version fallbacks, slots 0 and 1, never written for short strings):
 * _keys, _owners, _policy, governance, pendingGovernance, _guardians, _scopeNames.
 */
const KEYS_SLOT = 2n;
const OWNERS_SLOT = 3n;
const POLICY_SLOT = 4n;
const GOVERNANCE_SLOT = 5n;
const PENDING_GOVERNANCE_SLOT = 6n;
const GUARDIANS_SLOT = 7n;
const SCOPE_NAMES_SLOT = 8n;
/** `_guardianList` (after `guardianRemover`, slot 9): its length, then its elements from keccak256(10). */
const GUARDIAN_LIST_SLOT = 10n;
const GUARDIAN_LIST_DATA = BigInt(keccak256(`0x${GUARDIAN_LIST_SLOT.toString(16).padStart(64, "0")}`));
const NOT_BEFORE_TOLERANCE = 3_600;
const MAX_NOT_BEFORE_DELAY = 30 * 86_400;
const bytesOf = (hex: Hex) => (hex.length - 2) / 2;
const utf8Length = (text: string) => new TextEncoder().encode(text).length;
const refuse = (error: string, ...args: unknown[]): Refusal => ({ ok: false, error, args });
const lower = (a: Address) => a.toLowerCase() as Address;

/** What `op`, sent by `sender` in a block at `time`, does to the registry. */
export function predict({ model: m, op, sender: rawSender, time: t }: PredictParameters): Outcome {
  const sender = lower(rawSender);
  const isGovernance = sender === m.governance;
  const p = m.policy;

  const existing = (keyId: Hex): ModelKey | Refusal => m.keys.get(keyId) ?? refuse("KeyNotFound", keyId);
  const owned = (keyId: Hex): ModelKey | Refusal => {
    const k = existing(keyId);
    if ("ok" in k) return k;
    return k.owner === sender ? k : refuse("NotKeyOwner", keyId, sender, k.owner);
  };
  const ownerOf = (owner: Address): ModelOwner => m.owners.get(owner) ?? { unreleasedLineages: 0, revoked: false };
  const store = (key: NewKey, version: number, label: string, policy: Policy): { keyId: Hex; record: ModelKey } | Refusal => {
    const alg = key.algorithm;
    if ((policy.allowedAlgorithms & (1 << alg)) === 0 || alg === 0) return refuse("AlgorithmNotAllowed", alg);
    const pub = key.publicKey;
    const prefix = pub.slice(2, 4);
    if (alg === 1 ? bytesOf(pub) !== 32 : bytesOf(pub) !== 33 || (prefix !== "02" && prefix !== "03")) {
      return refuse("InvalidPublicKey", alg, pub);
    }
    if (alg === 1 && unusableEd25519(pub)) return refuse("UnusableEd25519Key", pub);
    if (bytesOf(key.proof) !== 64) return refuse("InvalidProofLength", BigInt(bytesOf(key.proof)));
    if ((key.scopes & ~policy.allowedScopes & 0xff) !== 0) return refuse("ScopesNotAllowed", key.scopes, policy.allowedScopes);
    if (key.expiresAt <= key.notBefore || key.expiresAt <= t) {
      return refuse("InvalidValidityWindow", key.notBefore, key.expiresAt, BigInt(t));
    }
    if (key.notBefore + NOT_BEFORE_TOLERANCE < t) return refuse("NotBeforeTooEarly", key.notBefore, BigInt(t - NOT_BEFORE_TOLERANCE));
    if (key.notBefore > t + MAX_NOT_BEFORE_DELAY) return refuse("NotBeforeTooLate", key.notBefore, BigInt(t + MAX_NOT_BEFORE_DELAY));
    const lifetime = key.expiresAt - key.notBefore;
    if (lifetime > policy.maxLifetime) return refuse("LifetimeTooLong", BigInt(lifetime), BigInt(policy.maxLifetime));
    const keyId = modelKeyId(sender, pub);
    if (m.keys.has(keyId)) return refuse("KeyAlreadyRegistered", keyId);
    if (alg !== 1 && !ecdsaProofHolds({ algorithm: alg, publicKey: pub, proof: key.proof, owner: sender, keyId, chainId: m.chainId, registry: m.registry })) {
      return refuse("InvalidProof", keyId);
    }
    const record: ModelKey = {
      owner: sender,
      algorithm: alg,
      state: KeyState.Active,
      version,
      scopes: key.scopes,
      notBefore: key.notBefore,
      expiresAt: key.expiresAt,
      rotated: false,
      label,
      publicKey: pub,
      predecessor: undefined,
      originalExpiresAt: 0,
      superseded: false,
      successor: undefined,
      suspendedUntil: 0,
      suspensionSpent: false,
      proof: key.proof,
    };
    return { keyId, record };
  };
  const addKey = (keyId: Hex, record: ModelKey) => {
    m.keys.set(keyId, record);
    m.ids.push(keyId);
  };
  const governanceOnly = () => (isGovernance ? undefined : refuse("NotGovernance", sender));
  /**
   * `_revokeOrSkip` over `ids` in order; `check` resolves each id (or refuses the whole call).
   * A key already revoked is skipped (or refused when `skips` is false); the owner's
   * revocation is not looked at (readers let it win). Revoking a lineage's head ends its
   * predecessor's running overlap (superseded; OverlapEnded when it still ran); the
   * owner's count is left alone until `releaseKeys`.
   */
  const revokeAll = (ids: Hex[], check: (keyId: Hex) => ModelKey | Refusal, skips: boolean, reason: string): Outcome => {
    const revoked = new Set<Hex>();
    const superseded = new Set<Hex>();
    const endedNow = new Set<Hex>();
    const events: Success["events"] = [];
    const owners = new Set<Address>();
    for (const keyId of ids) {
      const k = check(keyId);
      if ("ok" in k) return k;
      if (k.state === KeyState.Revoked || revoked.has(keyId)) {
        if (!skips) return refuse("InvalidKeyState", keyId, KeyState.Revoked);
        events.push({ eventName: "KeySkipped", args: { keyId, state: KeyState.Revoked } });
        continue;
      }
      revoked.add(keyId);
      events.push({ eventName: "KeyRevoked", args: { keyId, by: sender, reason } });
      if (!k.rotated) {
        owners.add(k.owner);
        const before = k.predecessor;
        const pk = before ? m.keys.get(before) : undefined;
        if (pk && k.version > 1 && pk.state !== KeyState.Revoked && !revoked.has(before!) && !pk.superseded && !superseded.has(before!)) {
          superseded.add(before!);
          if (pk.expiresAt > t) {
            endedNow.add(before!);
            events.push({ eventName: "OverlapEnded", args: { keyId: before!, expiresAt: t } });
          }
        }
      }
    }
    return {
      ok: true,
      events,
      keys: [...revoked, ...superseded],
      slots: [...revoked, ...superseded].map(keySlot),
      commit: () => {
        for (const keyId of superseded) {
          const pk = m.keys.get(keyId)!;
          pk.superseded = true;
          if (endedNow.has(keyId)) pk.expiresAt = t;
        }
        for (const keyId of revoked) m.keys.get(keyId)!.state = KeyState.Revoked;
      },
    };
  };

  switch (op.name) {
    case "register": {
      const length = utf8Length(op.label);
      if (length === 0 || length > 64) return refuse("InvalidLabel", op.label);
      const o = ownerOf(sender);
      if (o.revoked) return refuse("OwnerIsRevoked", sender);
      if (o.unreleasedLineages >= p.maxKeysPerOwner) return refuse("TooManyKeys", sender, BigInt(o.unreleasedLineages), BigInt(p.maxKeysPerOwner));
      const stored = store(op.key, 1, op.label, p);
      if ("ok" in stored) return stored;
      const { keyId, record } = stored;
      return {
        ok: true,
        events: [
          {
            eventName: "KeyRegistered",
            args: {
              keyId,
              owner: sender,
              algorithm: record.algorithm,
              scopes: record.scopes,
              notBefore: record.notBefore,
              expiresAt: record.expiresAt,
              label: op.label,
              publicKey: op.key.publicKey,
              proof: op.key.proof,
            },
          },
        ],
        keys: [keyId],
        slots: [keySlot(keyId), ownerSlot(sender)],
        commit: () => {
          addKey(keyId, record);
          m.owners.set(sender, { ...o, unreleasedLineages: o.unreleasedLineages + 1 });
        },
      };
    }
    case "rotate": {
      const old = owned(op.oldKeyId);
      if ("ok" in old) return old;
      if (ownerOf(sender).revoked) return refuse("OwnerIsRevoked", sender);
      // v2: a suspended key may be rotated (it stays suspended); revoked is final.
      if (old.state === KeyState.Revoked) return refuse("InvalidKeyState", op.oldKeyId, KeyState.Revoked);
      if (old.rotated) return refuse("KeyAlreadyRotated", op.oldKeyId);
      if (old.version === 0xffff) return refuse("VersionOverflow", op.oldKeyId);
      if (op.overlap > p.maxOverlap) return refuse("OverlapTooLong", BigInt(op.overlap), BigInt(p.maxOverlap));
      const cut = Math.min(old.expiresAt, t + op.overlap);
      if (op.key.notBefore > cut) return refuse("RotationGap", op.key.notBefore, cut);
      const stored = store(op.key, old.version + 1, old.label, p);
      if ("ok" in stored) return stored;
      const { keyId, record } = stored;
      record.predecessor = op.oldKeyId;
      // The key two versions behind the new head: superseded, and stopped now if still running.
      const before = old.predecessor;
      const pk = before ? m.keys.get(before) : undefined;
      const touchPredecessor = pk !== undefined && pk.state !== KeyState.Revoked && !pk.superseded;
      const endsNow = touchPredecessor && pk.expiresAt > t;
      return {
        ok: true,
        events: [
          ...(endsNow ? [{ eventName: "OverlapEnded", args: { keyId: before!, expiresAt: t } }] : []),
          {
            eventName: "KeyRotated",
            args: {
              oldKeyId: op.oldKeyId,
              newKeyId: keyId,
              owner: sender,
              by: sender,
              version: record.version,
              algorithm: record.algorithm,
              scopes: record.scopes,
              notBefore: record.notBefore,
              expiresAt: record.expiresAt,
              oldExpiresAt: cut,
              publicKey: op.key.publicKey,
              proof: op.key.proof,
            },
          },
        ],
        keys: touchPredecessor ? [op.oldKeyId, keyId, before!] : [op.oldKeyId, keyId],
        // v2: one new slot; the old key's slot takes the cut expiry, original expiry and successor link.
        slots: [keySlot(op.oldKeyId), keySlot(keyId), ...(touchPredecessor ? [keySlot(before!)] : [])],
        commit: () => {
          old.originalExpiresAt = old.expiresAt;
          old.expiresAt = cut;
          old.rotated = true;
          old.successor = keyId;
          if (touchPredecessor) {
            pk.superseded = true;
            if (endsNow) pk.expiresAt = t;
          }
          addKey(keyId, record);
        },
      };
    }
    case "extendOverlap": {
      const k = owned(op.keyId);
      if ("ok" in k) return k;
      if (ownerOf(sender).revoked) return refuse("OwnerIsRevoked", sender);
      const state = effectiveState(k, t);
      if (state !== KeyState.Active) return refuse("InvalidKeyState", op.keyId, state);
      if (!k.rotated) return refuse("KeyNotRotated", op.keyId);
      if (k.superseded) return refuse("KeySuperseded", op.keyId);
      if (op.expiresAt <= k.expiresAt) return refuse("ExpiryNotExtended", k.expiresAt, op.expiresAt);
      if (op.expiresAt > k.originalExpiresAt) return refuse("ExtensionPastOriginalExpiry", op.expiresAt, k.originalExpiresAt);
      if (op.expiresAt > t + p.maxOverlap) return refuse("OverlapTooLong", BigInt(op.expiresAt - t), BigInt(p.maxOverlap));
      if (op.expiresAt <= k.notBefore) return refuse("InvalidValidityWindow", k.notBefore, op.expiresAt, BigInt(t));
      const lifetime = op.expiresAt - k.notBefore;
      if (lifetime > p.maxLifetime) return refuse("LifetimeTooLong", BigInt(lifetime), BigInt(p.maxLifetime));
      return {
        ok: true,
        events: [{ eventName: "OverlapExtended", args: { keyId: op.keyId, expiresAt: op.expiresAt } }],
        keys: [op.keyId],
        slots: [keySlot(op.keyId)],
        commit: () => {
          k.expiresAt = op.expiresAt;
        },
      };
    }
    case "revoke":
    case "revokeBatch":
    case "governanceRevoke":
    case "governanceRevokeBatch": {
      let ids: Hex[];
      const byGovernance = op.name === "governanceRevoke" || op.name === "governanceRevokeBatch";
      if (byGovernance && !isGovernance) return refuse("NotGovernance", sender);
      if (op.name === "revokeBatch" || op.name === "governanceRevokeBatch") {
        if (op.keyIds.length === 0 || op.keyIds.length > MAX_BATCH) return refuse("InvalidBatchSize", BigInt(op.keyIds.length));
        ids = op.keyIds;
      } else {
        ids = [op.keyId];
      }
      // Only the owner's single revoke refuses a revoked key; batches and governance skip it.
      return revokeAll(ids, byGovernance ? existing : owned, op.name !== "revoke", op.reason);
    }
    case "releaseKeys": {
      if (op.keyIds.length === 0 || op.keyIds.length > MAX_BATCH) return refuse("InvalidBatchSize", BigInt(op.keyIds.length));
      const released = new Set<Hex>();
      const counts = new Map<Address, number>();
      const events: Success["events"] = [];
      for (const keyId of op.keyIds) {
        const k = existing(keyId);
        if ("ok" in k) return k;
        const reason =
          k.state !== KeyState.Revoked ? 0 : k.rotated ? 1 : k.released || released.has(keyId) ? 2 : ownerOf(k.owner).revoked ? 3 : undefined;
        if (reason !== undefined) {
          events.push({ eventName: "KeyReleaseSkipped", args: { keyId, reason } });
          continue;
        }
        released.add(keyId);
        counts.set(k.owner, (counts.get(k.owner) ?? 0) + 1);
        events.push({ eventName: "KeyReleased", args: { keyId, owner: k.owner, by: sender } });
      }
      return {
        ok: true,
        events,
        keys: [...released],
        slots: [...[...released].map(keySlot), ...[...counts.keys()].map(ownerSlot)],
        commit: () => {
          for (const keyId of released) m.keys.get(keyId)!.released = true;
          for (const [owner, n] of counts) {
            const o = ownerOf(owner);
            m.owners.set(owner, { ...o, unreleasedLineages: o.unreleasedLineages - n });
          }
        },
      };
    }
    case "governanceRevokeLineage": {
      const denied = governanceOnly();
      if (denied) return denied;
      const first = existing(op.keyId);
      if ("ok" in first) return first;
      // The key and every later version, as the lineage stands now.
      const ids: Hex[] = [op.keyId];
      for (let k = first; k.successor; k = m.keys.get(k.successor)!) ids.push(k.successor);
      return revokeAll(ids, existing, true, op.reason);
    }
    case "governanceRevokeOwner": {
      const denied = governanceOnly();
      if (denied) return denied;
      const owner = lower(op.owner);
      const o = ownerOf(owner);
      // Skipped with an event, like the key-level governance calls.
      if (o.revoked) return { ok: true, events: [{ eventName: "OwnerRevocationSkipped", args: { owner } }], keys: [], slots: [], commit: () => {} };
      return {
        ok: true,
        events: [{ eventName: "OwnerRevoked", args: { owner, by: sender, reason: op.reason } }],
        // No per-key write, but every record of the owner now reads as revoked.
        keys: m.ids.filter((id) => m.keys.get(id)!.owner === owner),
        slots: [ownerSlot(owner)],
        commit: () => {
          m.owners.set(owner, { unreleasedLineages: 0, revoked: true });
        },
      };
    }
    case "suspend": {
      if (!m.guardians.has(sender)) return refuse("NotGuardian", sender);
      const k = existing(op.keyId);
      if ("ok" in k) return k;
      const state = effectiveState(k, t);
      if (state !== KeyState.Active) return refuse("InvalidKeyState", op.keyId, state);
      if (k.suspensionSpent) return refuse("SuspensionSpent", op.keyId);
      // The owner's revocation is not checked (readers let it win; unsuspend skips such keys).
      const until = Math.min(t + p.maxSuspension, U32);
      return {
        ok: true,
        events: [{ eventName: "KeySuspended", args: { keyId: op.keyId, guardian: sender, reason: op.reason, until } }],
        keys: [op.keyId],
        slots: [keySlot(op.keyId)],
        commit: () => {
          k.state = KeyState.Suspended;
          k.suspendedUntil = until;
          k.suspensionSpent = true;
        },
      };
    }
    case "extendSuspension": {
      const denied = governanceOnly();
      if (denied) return denied;
      const k = existing(op.keyId);
      if ("ok" in k) return k;
      const state = ownerOf(k.owner).revoked ? KeyState.Revoked : effectiveState(k, t);
      if (state !== KeyState.Suspended) return refuse("InvalidKeyState", op.keyId, state);
      if (op.until <= k.suspendedUntil) return refuse("SuspensionNotExtended", op.keyId, k.suspendedUntil, op.until);
      return {
        ok: true,
        events: [{ eventName: "SuspensionExtended", args: { keyId: op.keyId, until: op.until } }],
        keys: [op.keyId],
        slots: [keySlot(op.keyId)],
        commit: () => {
          k.suspendedUntil = op.until;
        },
      };
    }
    case "unsuspend":
    case "unsuspendBatch": {
      const denied = governanceOnly();
      if (denied) return denied;
      let ids: Hex[];
      if (op.name === "unsuspendBatch") {
        if (op.keyIds.length === 0 || op.keyIds.length > MAX_BATCH) return refuse("InvalidBatchSize", BigInt(op.keyIds.length));
        ids = op.keyIds;
      } else {
        ids = [op.keyId];
      }
      const lifted = new Set<Hex>();
      const records: ModelKey[] = [];
      const events: Success["events"] = [];
      for (const keyId of ids) {
        const k = existing(keyId);
        if ("ok" in k) return k;
        // The stored state: a lapsed suspension is still lifted (and its spent flag cleared).
        const stored = lifted.has(keyId) ? KeyState.Active : k.state;
        const state = ownerOf(k.owner).revoked ? KeyState.Revoked : stored;
        if (state !== KeyState.Suspended) {
          events.push({ eventName: "KeySkipped", args: { keyId, state } });
          continue;
        }
        lifted.add(keyId);
        records.push(k);
        events.push({ eventName: "KeyUnsuspended", args: { keyId, by: sender } });
      }
      return {
        ok: true,
        events,
        keys: [...lifted],
        slots: [...lifted].map(keySlot),
        commit: () => {
          for (const k of records) {
            k.state = KeyState.Active;
            k.suspendedUntil = 0;
            k.suspensionSpent = false;
          }
        },
      };
    }
    case "setPolicy": {
      const denied = governanceOnly();
      if (denied) return denied;
      const q = op.policy;
      if (q.maxLifetime === 0 || q.maxOverlap > q.maxLifetime || (q.allowedAlgorithms & 0xf1) !== 0 || q.maxSuspension === 0 || q.maxKeysPerOwner === 0) {
        return refuse("InvalidPolicy", q);
      }
      return {
        ok: true,
        events: [{ eventName: "PolicyUpdated", args: { ...q } }],
        keys: [],
        // A changed maxSuspension is copied into every listed guardian's record.
        slots: [
          POLICY_SLOT,
          ...(q.maxSuspension === p.maxSuspension ? [] : [...new Set([...m.guardians, ...(m.listedGuardians ?? [])])].map((g) => mappingSlot(g, GUARDIANS_SLOT))),
        ],
        commit: () => {
          m.policy = { ...q };
        },
      };
    }
    case "setScopeName": {
      const denied = governanceOnly();
      if (denied) return denied;
      if (op.bit > 7 || utf8Length(op.scopeName) > 32) return refuse("InvalidScopeName", op.bit, op.scopeName);
      // Names are permanent (issue 9): a rename would re-grant the bit to every holder.
      const current = m.scopeNames[op.bit]!;
      if (current !== "" && current !== op.scopeName) return refuse("ScopeAlreadyNamed", op.bit, current, op.scopeName);
      const slot = mappingSlot(op.bit, SCOPE_NAMES_SLOT);
      const data = BigInt(keccak256(`0x${slot.toString(16).padStart(64, "0")}`));
      return {
        ok: true,
        events: [{ eventName: "ScopeNamed", args: { bit: op.bit, name: op.scopeName } }],
        keys: [],
        slots: [slot, data, data + 1n],
        commit: () => {
          m.scopeNames[op.bit] = op.scopeName;
        },
      };
    }
    case "setGuardian": {
      const denied = governanceOnly();
      if (denied) return denied;
      const guardian = lower(op.guardian);
      return {
        ok: true,
        events: [{ eventName: "GuardianUpdated", args: { guardian, enabled: op.enabled } }],
        keys: [],
        // A first appointment lists it (length and one element; the model does not track the index).
        slots: [mappingSlot(guardian, GUARDIANS_SLOT), GUARDIAN_LIST_SLOT, ...Array.from({ length: 64 }, (_, i) => GUARDIAN_LIST_DATA + BigInt(i))],
        commit: () => {
          const listed = (m.listedGuardians ??= new Set());
          for (const g of m.guardians) listed.add(g);
          if (op.enabled) listed.add(guardian);
          if (op.enabled) m.guardians.add(guardian);
          else m.guardians.delete(guardian);
        },
      };
    }
    case "transferGovernance": {
      const denied = governanceOnly();
      if (denied) return denied;
      const next = lower(op.newGovernance);
      if (next === zeroAddress) return refuse("InvalidGovernance", next);
      return {
        ok: true,
        events: [{ eventName: "GovernanceTransferStarted", args: { previousGovernance: m.governance, newGovernance: next } }],
        keys: [],
        slots: [PENDING_GOVERNANCE_SLOT],
        commit: () => {
          m.pendingGovernance = next;
        },
      };
    }
    case "acceptGovernance": {
      if (sender !== m.pendingGovernance) return refuse("NotPendingGovernance", sender, m.pendingGovernance);
      return {
        ok: true,
        events: [{ eventName: "GovernanceTransferred", args: { previousGovernance: m.governance, newGovernance: sender } }],
        keys: [],
        slots: [GOVERNANCE_SLOT, PENDING_GOVERNANCE_SLOT],
        commit: () => {
          m.governance = sender;
          m.pendingGovernance = zeroAddress;
        },
      };
    }
  }
}

/** The registry id `owner` gets for `publicKey`: owner || low 12 bytes of keccak256(owner || key). */
export function modelKeyId(owner: Address, publicKey: Hex): Hex {
  return computeKeyId({ publicKey: hexToBytes(publicKey), owner });
}

/** The stored state, except that a suspension whose end has passed reads as Active (`_effectiveState`). */
export function effectiveState(k: ModelKey, time: number): number {
  return k.state === KeyState.Suspended && time >= k.suspendedUntil ? KeyState.Active : k.state;
}

/**
 * Whether an ECDSA proof verifies for `owner`, as the registry checks it: SHA-256 of the
 * proof-of-possession message, r || s; P-256 (OpenZeppelin P256) wants s in the lower
 * half, secp256k1 (ecrecover with either parity) takes both halves.
 */
export function ecdsaProofHolds(parameters: {
  algorithm: number;
  publicKey: Hex;
  proof: Hex;
  owner: Address;
  keyId: Hex;
  chainId: number;
  registry: Address;
  lowS?: boolean | undefined;
}): boolean {
  const { algorithm, publicKey, proof, owner, keyId, chainId, registry } = parameters;
  if (bytesOf(proof) !== 64) return false;
  const digest = createHash("sha256").update(proofOfPossessionMessage({ chainId, registry, owner, keyId })).digest();
  const curve = algorithm === 2 ? p256 : secp256k1;
  const lowS = parameters.lowS ?? algorithm === 2;
  try {
    return curve.verify(hexToBytes(proof), digest, hexToBytes(publicKey), { lowS, prehash: false });
  } catch {
    return false;
  }
}

const SMALL_ORDER = new Set([
  `0x01${"00".repeat(31)}`, "0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", `0x${"00".repeat(31)}80`,
  "0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", `0xec${"ff".repeat(30)}7f`,
  "0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", `0x${"00".repeat(32)}`,
  "0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]);
/** The contract's Ed25519 check: small-order, y >= p, or x = 0 with the sign bit. */
function unusableEd25519(pub: Hex): boolean {
  const h = pub.toLowerCase();
  if (SMALL_ORDER.has(h)) return true;
  const mid = h.slice(4, 64);
  const last = parseInt(h.slice(64, 66), 16);
  if (mid === "ff".repeat(30) && (last & 0x7f) === 0x7f && parseInt(h.slice(2, 4), 16) >= 0xed) return true;
  return h === `0x01${"00".repeat(30)}80` || h === `0xec${"ff".repeat(31)}`;
}

/** Whether the CURRENT policy allows the key's algorithm, every scope bit and its lifetime (issue 9). */
export function modelPolicyAllows(k: ModelKey, policy: Policy): boolean {
  return ((policy.allowedAlgorithms >> k.algorithm) & 1) === 1 && (k.scopes & ~policy.allowedScopes & 0xff) === 0 && k.expiresAt - k.notBefore <= policy.maxLifetime;
}

/**
 * `keyStatus` as the model sees it at `time`, under the current `policy`; `ownerRevoked`:
 * governance revoked the key's owner. Precedence: Unknown, Revoked, OwnerRevoked,
 * Suspended (until it lapses), NotYetValid, Expired, NotAllowed, InsufficientScope.
 */
export function modelKeyStatus(
  k: ModelKey | undefined,
  time: number,
  requiredScopes: number,
  policy: Policy,
  ownerRevoked = false,
): [boolean, number] {
  if (!k) return [false, Reason.Unknown];
  if (k.state === KeyState.Revoked) return [false, Reason.Revoked];
  if (ownerRevoked) return [false, Reason.OwnerRevoked];
  if (effectiveState(k, time) === KeyState.Suspended) return [false, Reason.Suspended];
  if (time < k.notBefore) return [false, Reason.NotYetValid];
  if (time >= k.expiresAt) return [false, Reason.Expired];
  if (!modelPolicyAllows(k, policy)) return [false, Reason.NotAllowed];
  if ((k.scopes & requiredScopes) !== requiredScopes) return [false, Reason.InsufficientScope];
  return [true, Reason.Valid];
}

/** Storage slot of a key's packed record (`_keys`, the registry's first state variable). */
export function keySlot(keyId: Hex): bigint {
  return mappingSlot(keyId, KEYS_SLOT);
}

/** Storage slot of an owner's record (`_owners`, the registry's second state variable). */
export function ownerSlot(owner: Address): bigint {
  return mappingSlot(lower(owner), OWNERS_SLOT);
}

/** `getKey` as the model sees it at `time`: the effective state (owner revoked, suspension lapsed). */
export function modelRecordView(m: Pick<RegistryModel, "keys" | "owners">, keyId: Hex, time: number) {
  const k = m.keys.get(keyId)!;
  const state = m.owners.get(k.owner)?.revoked ? KeyState.Revoked : effectiveState(k, time);
  return {
    owner: k.owner,
    algorithm: k.algorithm,
    state,
    version: k.version,
    scopes: k.scopes,
    notBefore: k.notBefore,
    expiresAt: k.expiresAt,
    rotated: k.rotated,
    suspendedUntil: k.suspendedUntil,
  };
}
export type ModelRecordView = ReturnType<typeof modelRecordView>;

function mappingSlot(key: Hex | number, base: bigint): bigint {
  const encoded =
    typeof key === "number"
      ? encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [BigInt(key), base])
      : key.length === 42
        ? encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [key, base])
        : encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [key, base]);
  return BigInt(keccak256(encoded));
}
