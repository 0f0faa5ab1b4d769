// Registry-wide facts the DAO changes (guardians, policy history, scope names, revoked
// owners) and each owner's rotator.
import { eq } from "ponder";
import { ponder } from "ponder:registry";
import { guardians, keyEvents, keys, policyHistory, revokedOwners, rotators, scopeNames } from "ponder:schema";
import { type Hex, zeroAddress } from "viem";

ponder.on("KeyRegistry:GuardianUpdated", async ({ event, context }) => {
  const row = {
    enabled: event.args.enabled,
    updatedBlock: event.block.number,
    updatedAt: event.block.timestamp,
    transactionHash: event.transaction.hash,
  };
  await context.db
    .insert(guardians)
    .values({ id: event.args.guardian.toLowerCase() as Hex, ...row })
    .onConflictDoUpdate(row);
});

// The owner's current rotator, replaced by each RotatorUpdated (zero: removed, kept as null).
ponder.on("KeyRegistry:RotatorUpdated", async ({ event, context }) => {
  const row = {
    rotator: event.args.rotator === zeroAddress ? null : (event.args.rotator.toLowerCase() as Hex),
    updatedBlock: event.block.number,
    updatedAt: event.block.timestamp,
    transactionHash: event.transaction.hash,
  };
  await context.db
    .insert(rotators)
    .values({ id: event.args.owner.toLowerCase() as Hex, ...row })
    .onConflictDoUpdate(row);
});

ponder.on("KeyRegistry:PolicyUpdated", async ({ event, context }) => {
  await context.db.insert(policyHistory).values({
    id: `${event.transaction.hash}-${event.log.logIndex}`,
    ...event.args,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
  });
});

ponder.on("KeyRegistry:ScopeNamed", async ({ event, context }) => {
  const row = { name: event.args.name, updatedBlock: event.block.number };
  await context.db
    .insert(scopeNames)
    .values({ bit: event.args.bit, ...row })
    .onConflictDoUpdate(row);
});

// The registry revokes an owner without touching each key (no per-key events); the
// rows follow in one statement, so every reader of `keys` sees them revoked.
ponder.on("KeyRegistry:OwnerRevoked", async ({ event, context }) => {
  const owner = event.args.owner.toLowerCase() as Hex;
  await context.db.insert(revokedOwners).values({
    id: owner,
    by: event.args.by.toLowerCase() as Hex,
    reason: event.args.reason,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    transactionHash: event.transaction.hash,
  });
  const affected = await context.db.sql.select({ id: keys.id, lineage: keys.lineage, expiresAt: keys.expiresAt }).from(keys).where(eq(keys.owner, owner));
  await context.db.sql
    .update(keys)
    .set({ state: "revoked", updatedBlock: event.block.number, updatedAt: event.block.timestamp })
    .where(eq(keys.owner, owner));
  // Each key's audit trail shows the revocation, with who did it and why.
  for (const key of affected) {
    await context.db.insert(keyEvents).values({
      id: `${event.transaction.hash}-${event.log.logIndex}-${key.id}`,
      keyId: key.id,
      lineage: key.lineage,
      owner,
      kind: "OwnerRevoked",
      actor: event.args.by.toLowerCase() as Hex,
      reason: event.args.reason,
      state: "revoked",
      expiresAt: key.expiresAt,
      relatedKeyId: null,
      blockNumber: event.block.number,
      timestamp: event.block.timestamp,
      transactionHash: event.transaction.hash,
      logIndex: event.log.logIndex,
    });
  }
});
