import type { Hex } from "viem";
import type { KeyStateChange, KeyStateRecord, RegistryKeyEvent } from "./types.ts";

export type ApplyRegistryEventParameters = {
  event: RegistryKeyEvent;
  /** The key's current state (key ids are passed lower-case), or undefined when never seen. */
  get(keyId: Hex): KeyStateRecord | undefined;
};

/** The changes in event order (a rotation changes the old key, then creates the new one). */
export type ApplyRegistryEventReturnType = KeyStateChange[];

/**
 * The one definition of how each registry event changes a key's state, shared by
 * the verifier's in-memory index and the Ponder indexer. Pure: it reads current
 * state through `get` and returns the new records; the caller stores them (and
 * keeps what it needs to undo them on a reorg).
 *
 * Events about a key id never seen produce no change: the contract only emits
 * them for existing keys, so a miss means history the caller did not read.
 * A new event is one more `case` here.
 */
export function applyRegistryEvent({ event, get }: ApplyRegistryEventParameters): ApplyRegistryEventReturnType {
  switch (event.eventName) {
    case "KeyRegistered": {
      const a = event.args;
      return [
        {
          keyId: lower(a.keyId),
          next: { label: a.label, version: 1, scopes: a.scopes, notBefore: a.notBefore, expiresAt: a.expiresAt, state: "active", suspendedUntil: 0 },
          created: { owner: a.owner, algorithm: a.algorithm, publicKey: a.publicKey, proof: a.proof, predecessor: undefined },
        },
      ];
    }
    case "KeyRotated": {
      const a = event.args;
      const oldKeyId = lower(a.oldKeyId);
      const old = get(oldKeyId);
      const changes: KeyStateChange[] = old ? [{ keyId: oldKeyId, next: { ...old, expiresAt: a.oldExpiresAt }, created: undefined }] : [];
      changes.push({
        keyId: lower(a.newKeyId),
        // The lineage keeps its label; the contract does not repeat it in the event.
        next: { label: old?.label, version: a.version, scopes: a.scopes, notBefore: a.notBefore, expiresAt: a.expiresAt, state: "active", suspendedUntil: 0 },
        created: { owner: a.owner, algorithm: a.algorithm, publicKey: a.publicKey, proof: a.proof, predecessor: oldKeyId },
      });
      return changes;
    }
    case "OverlapExtended":
      return patch(get, event.args.keyId, { expiresAt: event.args.expiresAt });
    case "OverlapEnded":
      // The key two versions behind a new head stops at the rotation's block time.
      return patch(get, event.args.keyId, { expiresAt: event.args.expiresAt });
    case "KeyRevoked":
      return patch(get, event.args.keyId, { state: "revoked" });
    case "KeySuspended": {
      // Bounded: the suspension lapses at `until` unless the DAO extends it. The registry
      // does not check the owner's revocation when suspending (a cold slot it saves), so a
      // key a reader already holds as revoked (its own revocation, or the indexer's copy
      // of an OwnerRevoked) stays revoked: revocation is final.
      const current = get(lower(event.args.keyId));
      if (current?.state === "revoked") return [];
      return patch(get, event.args.keyId, { state: "suspended", suspendedUntil: event.args.until });
    }
    case "KeyReleased":
      // The revoked head gave its place under the owner's cap back (`releaseKeys`): the
      // key stays revoked; the change is recorded so the key's history shows it.
      return patch(get, event.args.keyId, { released: true });
    case "SuspensionExtended":
      return patch(get, event.args.keyId, { suspendedUntil: event.args.until });
    case "KeyUnsuspended":
      return patch(get, event.args.keyId, { state: "active", suspendedUntil: 0 });
  }
}

function patch(get: ApplyRegistryEventParameters["get"], anyCaseKeyId: Hex, change: Partial<KeyStateRecord>): KeyStateChange[] {
  const keyId = lower(anyCaseKeyId);
  const current = get(keyId);
  if (!current) return [];
  return [{ keyId, next: { ...current, ...change }, created: undefined }];
}

function lower(keyId: Hex): Hex {
  return keyId.toLowerCase() as Hex;
}
