// Registry-wide facts the DAO changes: guardians, policy history and scope names.
import { ponder } from "ponder:registry";
import { guardians, policyHistory, scopeNames } from "ponder:schema";
import type { Hex } from "viem";

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
