import type { Address, Hex } from "viem";
import type { KeyLifecycleState, RegistryPolicy as SharedRegistryPolicy } from "../../../src/chain/keyState/types.ts";
import type { Algorithm } from "../../../src/keys/algorithms.ts";

/** What the registry says about a key, before time windows (the shared definition in src/chain/keyState). */
export type KeyState = KeyLifecycleState;

export type KeyEventKind =
  | "registered"
  | "rotated-in"
  | "rotated-out"
  | "overlap-extended"
  | "overlap-ended"
  | "revoked"
  | "suspended"
  | "suspension-extended"
  | "unsuspended"
  /** `KeyReleased`: the revoked head gave its place under the owner's cap back (it stays revoked). */
  | "released";

/** One entry of a key's audit trail (the indexer's `key_events` table). */
export type KeyEvent = {
  kind: KeyEventKind;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
  /** Block time (unix seconds). */
  timestamp: number;
  /** Who acted: the revoker or rotator (`by`: the owner, its rotator, governance), the suspending guardian, the owner, else the transaction sender. */
  by?: Address | undefined;
  reason?: string | undefined;
  /** The key's expiry after the event, for rotations and extensions. */
  expiresAt?: number | undefined;
  /** The other key of a rotation. */
  otherKeyId?: Hex | undefined;
};

/** A key as the dApp shows it (the indexer's `keys` row plus its audit trail). */
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
  /** When a "suspended" key's suspension lapses (unix seconds; 0 when not suspended). */
  suspendedUntil: number;
  /** Rotated to a successor (its expiry was cut to the overlap). */
  rotated: boolean;
  /** Its expiry as registered, before a rotation cut it: `extendOverlap` cannot go past it. */
  originalExpiresAt?: number | undefined;
  /** Its successor was rotated in turn: it can never be extended again (registry v2). */
  superseded?: boolean | undefined;
  /** A revoked lineage head whose place under the owner's cap was given back (`releaseKeys`). */
  released?: boolean | undefined;
  previousKeyId?: Hex | undefined;
  nextKeyId?: Hex | undefined;
  /** Key id of version 1: identifies the lineage. */
  lineageId: Hex;
  publicKey: Hex;
  proof: Hex;
  events: KeyEvent[];
};

/** The registry's policy (the shared definition in src/chain/keyState). */
export type RegistryPolicy = SharedRegistryPolicy;

/**
 * The part of the registry a page needs: some keys (never all of them: the dApp
 * asks the indexer for an owner's keys or one lineage), the policy, scope names
 * and guardians.
 */
export type RegistryIndex = {
  keys: ReadonlyMap<Hex, IndexedKey>;
  policy: RegistryPolicy | undefined;
  /** Scope names by bit ("" = unnamed). */
  scopeNames: readonly string[];
  guardians: readonly Address[];
};

/** An owner's rotator (the indexer's `rotators` row): who may rotate (same or fewer scopes) and revoke its keys. */
export type OwnerRotator = {
  /** Undefined: none appointed, or removed. */
  rotator: Address | undefined;
  /** The last `RotatorUpdated` (absent when the owner never appointed one). */
  updatedBlock?: bigint | undefined;
  updatedAt?: number | undefined;
  transactionHash?: Hex | undefined;
};

/** A proposal's creation (the indexer's `proposals` row): GovernorStorage keeps the proposal, not its text. */
export type ProposalCreated = {
  proposalId: bigint;
  proposer: Address;
  description: string;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** A block: number and time (unix seconds). */
export type BlockRef = { number: bigint; timestamp: number };

/** A proposal as the indexer has it (`proposals` + `proposal_actions`): texts, actions, tallies, transitions. */
export type IndexedProposal = {
  proposalId: bigint;
  proposer: Address;
  description: string;
  /** Voting opens after this time / closes at it (the governor's clock: token timestamps). */
  voteStart: number;
  voteEnd: number;
  /** What the governor's events said last; `state()` on chain also knows about time (pending, active, defeated). */
  status: "created" | "queued" | "executed" | "canceled";
  eta: number;
  votes: { against: bigint; for: bigint; abstain: bigint };
  voteCount: number;
  actions: { target: Address; value: bigint; calldata: Hex }[];
  createdBlock: bigint;
  transactionHash: Hex;
  queuedBlock?: bigint | undefined;
  executedBlock?: bigint | undefined;
  /** The transaction that executed it: the one carrying the registry events its actions caused. */
  executedTransactionHash?: Hex | undefined;
  canceledBlock?: bigint | undefined;
};

/** An executed proposal as a key's history needs it: when and how it ran, and its calls. */
export type ExecutedProposal = {
  proposalId: bigint;
  executedBlock: bigint;
  executedTransactionHash?: Hex | undefined;
  actions: { target: Address; calldata: Hex }[];
};

/** One vote (the indexer's `votes` table). */
export type IndexedVote = {
  voter: Address;
  support: 0 | 1 | 2;
  weight: bigint;
  reason: string;
  blockNumber: bigint;
  timestamp: number;
  transactionHash: Hex;
};
