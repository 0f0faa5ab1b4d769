// Tables of the KeyLedger indexer. Ponder makes them reorg-safe: rows written for a
// block that is reorganised away are reverted before the new blocks are indexed.
import { index, onchainTable, primaryKey } from "ponder";

/** Current state of every key id, one row each (state as the registry says, before time windows). */
export const keys = onchainTable(
  "keys",
  (t) => ({
    id: t.hex().primaryKey(),
    owner: t.hex().notNull(),
    /** Root key id of the lineage (version 1). */
    lineage: t.hex().notNull(),
    algorithm: t.integer().notNull(),
    label: t.text(),
    version: t.integer().notNull(),
    scopes: t.integer().notNull(),
    notBefore: t.integer().notNull(),
    expiresAt: t.integer().notNull(),
    state: t.text().$type<"active" | "suspended" | "revoked">().notNull(),
    /** Unix seconds at which a "suspended" key's suspension lapses (0 when not suspended). */
    suspendedUntil: t.integer().notNull(),
    /** A revoked lineage head whose place under the owner's cap was given back (`KeyReleased`). */
    released: t.boolean().notNull().default(false),
    publicKey: t.hex().notNull(),
    proof: t.hex().notNull(),
    predecessor: t.hex(),
    successor: t.hex(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ ownerIndex: index().on(table.owner), lineageIndex: index().on(table.lineage) }),
);

/** Owners governance revoked (`OwnerRevoked`): every key of theirs is revoked. */
export const revokedOwners = onchainTable("revoked_owners", (t) => ({
  id: t.hex().primaryKey(),
  by: t.hex().notNull(),
  reason: t.text().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** Each owner's rotator (`RotatorUpdated`): the address that may rotate (same or fewer scopes) and revoke its keys. */
export const rotators = onchainTable("rotators", (t) => ({
  /** The owner. */
  id: t.hex().primaryKey(),
  /** The current rotator; null once the owner removed it (`setRotator(0)`). */
  rotator: t.hex(),
  updatedBlock: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** A lineage is a key and its rotations; identified by its first key id. */
export const lineages = onchainTable(
  "lineages",
  (t) => ({
    id: t.hex().primaryKey(),
    owner: t.hex().notNull(),
    label: t.text(),
    currentKeyId: t.hex().notNull(),
    latestVersion: t.integer().notNull(),
    createdBlock: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({ ownerIndex: index().on(table.owner) }),
);

/** The audit trail: one row per key an event changed (a rotation writes one for each side). */
export const keyEvents = onchainTable(
  "key_events",
  (t) => ({
    id: t.text().primaryKey(),
    keyId: t.hex().notNull(),
    lineage: t.hex().notNull(),
    owner: t.hex().notNull(),
    /** The registry event's name, e.g. "KeyRevoked". */
    kind: t.text().notNull(),
    /** Who did it: `by` (revoker; rotating owner or rotator), the suspending guardian, the owner, else the transaction sender. */
    actor: t.hex().notNull(),
    reason: t.text(),
    /** The state after the event. */
    state: t.text().notNull(),
    expiresAt: t.integer().notNull(),
    /** The other key of a rotation. */
    relatedKeyId: t.hex(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ keyIndex: index().on(table.keyId), ownerIndex: index().on(table.owner), lineageIndex: index().on(table.lineage) }),
);

export const proposals = onchainTable("proposals", (t) => ({
  id: t.bigint().primaryKey(),
  proposer: t.hex().notNull(),
  description: t.text().notNull(),
  voteStart: t.bigint().notNull(),
  voteEnd: t.bigint().notNull(),
  status: t.text().$type<"created" | "queued" | "executed" | "canceled">().notNull(),
  /** Timelock ETA (unix seconds) once queued. */
  eta: t.bigint(),
  forVotes: t.bigint().notNull(),
  againstVotes: t.bigint().notNull(),
  abstainVotes: t.bigint().notNull(),
  createdBlock: t.bigint().notNull(),
  createdAt: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
  updatedBlock: t.bigint().notNull(),
  /** How many accounts have voted (the tallies above are their weights). */
  voteCount: t.integer().notNull().default(0),
  /** State transitions the governor emitted, with their blocks and transactions (null until they happen). */
  queuedBlock: t.bigint(),
  queuedTransactionHash: t.hex(),
  executedBlock: t.bigint(),
  executedTransactionHash: t.hex(),
  canceledBlock: t.bigint(),
  canceledTransactionHash: t.hex(),
}));

export const proposalActions = onchainTable(
  "proposal_actions",
  (t) => ({
    proposalId: t.bigint().notNull(),
    index: t.integer().notNull(),
    target: t.hex().notNull(),
    value: t.bigint().notNull(),
    signature: t.text().notNull(),
    calldata: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.proposalId, table.index] }) }),
);

export const votes = onchainTable(
  "votes",
  (t) => ({
    proposalId: t.bigint().notNull(),
    voter: t.hex().notNull(),
    /** 0 against, 1 for, 2 abstain (GovernorCountingSimple). */
    support: t.integer().notNull(),
    weight: t.bigint().notNull(),
    reason: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.proposalId, table.voter] }) }),
);

export const guardians = onchainTable("guardians", (t) => ({
  id: t.hex().primaryKey(),
  enabled: t.boolean().notNull(),
  updatedBlock: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** Every policy the registry has had, in order (the last row is the live one). */
export const policyHistory = onchainTable("policy_history", (t) => ({
  id: t.text().primaryKey(),
  maxLifetime: t.integer().notNull(),
  maxOverlap: t.integer().notNull(),
  maxSuspension: t.integer().notNull(),
  maxKeysPerOwner: t.integer().notNull(),
  allowedAlgorithms: t.integer().notNull(),
  allowedScopes: t.integer().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** Current scope names by bit ("" = cleared). */
export const scopeNames = onchainTable("scope_names", (t) => ({
  bit: t.integer().primaryKey(),
  name: t.text().notNull(),
  updatedBlock: t.bigint().notNull(),
}));
