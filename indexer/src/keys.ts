// Key events: how each one changes a key comes from the shared reducer
// (src/chain/keyState), the same one the verifier's index uses; this file only stores it.
import { ponder } from "ponder:registry";
import { keyEvents, keys, lineages } from "ponder:schema";
import type { Address, Hex } from "viem";
import { applyRegistryEvent } from "../../src/chain/keyState/applyRegistryEvent.ts";
import { keyEventNames, type KeyStateRecord, type RegistryKeyEvent } from "../../src/chain/keyState/types.ts";

type KeyRow = typeof keys.$inferSelect;

for (const name of keyEventNames) {
  // One handler for every key event: the reducer's switch is the only per-event code.
  (ponder.on as (name: string, fn: (arg: { event: any; context: any }) => Promise<void>) => void)(`KeyRegistry:${name}`, async ({ event, context }) => {
    const registryEvent = { eventName: name, args: event.args } as RegistryKeyEvent;
    // The reducer reads state synchronously: load every key id the event names first.
    const rows = new Map<Hex, KeyRow>();
    for (const [arg, value] of Object.entries(event.args as Record<string, unknown>)) {
      if (!/keyId$/i.test(arg) || typeof value !== "string") continue;
      const id = value.toLowerCase() as Hex;
      const row: KeyRow | null = await context.db.find(keys, { id });
      if (row) rows.set(id, row);
    }
    const changes = applyRegistryEvent({ event: registryEvent, get: (id) => (rows.has(id) ? stateOf(rows.get(id)!) : undefined) });
    const block = event.block.number as bigint;
    const at = event.block.timestamp as bigint;
    const args = event.args as Record<string, unknown>;
    // Who acted, as the event says: `by` (the owner, its rotator, or governance; for a
    // signed operation the signing owner, never the relayer), the guardian, or the
    // owner. An overlap is only ever extended by its owner (itself or signed), whose
    // address starts the key id; OverlapEnded falls back to the transaction's sender.
    const actor = ((args.by ?? args.guardian ?? args.owner ?? (name === "OverlapExtended" ? String(args.keyId).slice(0, 42) : event.transaction.from)) as Address).toLowerCase() as Hex;
    for (const { keyId, next, created } of changes) {
      let row: KeyRow;
      if (created) {
        const predecessor = created.predecessor ? rows.get(created.predecessor) : undefined;
        const lineage = predecessor?.lineage ?? created.predecessor ?? keyId;
        row = {
          id: keyId,
          owner: created.owner.toLowerCase() as Hex,
          lineage,
          algorithm: created.algorithm,
          ...fields(next),
          publicKey: created.publicKey,
          proof: created.proof,
          predecessor: created.predecessor ?? null,
          successor: null,
          createdBlock: block,
          createdAt: at,
          updatedBlock: block,
          updatedAt: at,
        };
        await context.db.insert(keys).values(row).onConflictDoUpdate(row);
        if (created.predecessor) {
          if (predecessor) await context.db.update(keys, { id: created.predecessor }).set({ successor: keyId });
          await context.db
            .insert(lineages)
            .values({ id: lineage, owner: row.owner, label: row.label, currentKeyId: keyId, latestVersion: next.version, createdBlock: block, updatedBlock: block })
            .onConflictDoUpdate({ currentKeyId: keyId, latestVersion: next.version, updatedBlock: block });
        } else {
          await context.db
            .insert(lineages)
            .values({ id: keyId, owner: row.owner, label: row.label, currentKeyId: keyId, latestVersion: 1, createdBlock: block, updatedBlock: block })
            .onConflictDoUpdate({ owner: row.owner, label: row.label, currentKeyId: keyId, latestVersion: 1, updatedBlock: block });
        }
      } else {
        const current = rows.get(keyId)!;
        row = { ...current, ...fields(next), updatedBlock: block, updatedAt: at};
        await context.db.update(keys, { id: keyId }).set({ ...fields(next), updatedBlock: block, updatedAt: at });
      }
      rows.set(keyId, row);
      const related = keyId === lower(args.newKeyId) ? lower(args.oldKeyId) : keyId === lower(args.oldKeyId) ? lower(args.newKeyId) : null;
      await context.db.insert(keyEvents).values({
        id: `${event.transaction.hash}-${event.log.logIndex}-${keyId}`,
        keyId,
        lineage: row.lineage,
        owner: row.owner,
        kind: name,
        actor,
        reason: typeof args.reason === "string" ? args.reason : null,
        state: next.state,
        expiresAt: next.expiresAt,
        relatedKeyId: related,
        blockNumber: block,
        timestamp: at,
        transactionHash: event.transaction.hash,
        logIndex: event.log.logIndex,
      });
    }
  });
}

// A governance, batch or release call that left a key alone (already in the target
// state, or not a revoked head for `releaseKeys`): no state change (so not a reducer
// case), but the audit trail shows that the call reached the key.
for (const kind of ["KeySkipped", "KeyReleaseSkipped"] as const) ponder.on(`KeyRegistry:${kind}`, async ({ event, context }) => {
  const keyId = event.args.keyId.toLowerCase() as Hex;
  const row: KeyRow | null = await context.db.find(keys, { id: keyId });
  if (!row) return;
  await context.db.insert(keyEvents).values({
    id: `${event.transaction.hash}-${event.log.logIndex}-${keyId}`,
    keyId,
    lineage: row.lineage,
    owner: row.owner,
    kind,
    actor: event.transaction.from.toLowerCase() as Hex,
    reason: null,
    state: row.state,
    expiresAt: row.expiresAt,
    relatedKeyId: null,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

function stateOf(row: KeyRow): KeyStateRecord {
  return {
    label: row.label ?? undefined,
    version: row.version,
    scopes: row.scopes,
    notBefore: row.notBefore,
    expiresAt: row.expiresAt,
    state: row.state,
    suspendedUntil: row.suspendedUntil,
    released: row.released,
  };
}

function fields(next: KeyStateRecord) {
  return {
    label: next.label ?? null,
    version: next.version,
    scopes: next.scopes,
    notBefore: next.notBefore,
    expiresAt: next.expiresAt,
    state: next.state,
    suspendedUntil: next.suspendedUntil,
    released: next.released ?? false,
  };
}

function lower(value: unknown): Hex | undefined {
  return typeof value === "string" ? (value.toLowerCase() as Hex) : undefined;
}
