import { createClient, sql } from "@ponder/client";
import { type Address, getAddress, type Hex } from "viem";
import { algorithmFromChain } from "../../../src/keys/algorithms.ts";
import type { BlockRef, ExecutedProposal, IndexedKey, IndexedProposal, IndexedVote, KeyEvent, KeyEventKind, OwnerRotator, ProposalCreated, RegistryPolicy } from "./types.ts";

export type CreateIndexerClientParameters = {
  /** Base URL of the Ponder indexer (the dApp server proxies it as `/indexer`). */
  url: string;
  fetch?: typeof fetch | undefined;
};

/** Registry-wide facts: policy, scope names, guardians and proposal texts. */
export type RegistryFacts = {
  policy: RegistryPolicy | undefined;
  scopeNames: string[];
  guardians: Address[];
  proposalsCreated: Map<bigint, ProposalCreated>;
};

export type IndexerClient = ReturnType<typeof createIndexerClient>;

type Row = Record<string, unknown>;

/**
 * The dApp's reads of the registry: SQL over HTTP (`@ponder/client`) to the Ponder
 * indexer, each query scoped to what the page shows (one owner, one lineage), never
 * the whole registry. `status()` is the block the indexer has reached.
 */
export function createIndexerClient({ url, fetch: fetchFn = (...args) => fetch(...args) }: CreateIndexerClientParameters) {
  const base = url.replace(/\/$/, "");
  const client = createClient(`${new URL(`${base}/sql`, globalThis.location?.href ?? base).href}`);
  const rows = async (query: ReturnType<typeof sql>): Promise<Row[]> => (await client.db.execute(query)) as unknown as Row[];

  return {
    url: base,
    /** The indexed head (Ponder's `/status`). */
    async status(): Promise<BlockRef> {
      const response = await fetchFn(`${base}/status`, { cache: "no-store" });
      if (!response.ok) throw new IndexerUnavailableError(`The indexer answered ${response.status} for /status.`);
      const body = (await response.json()) as Record<string, { block?: { number?: number; timestamp?: number } }>;
      const block = Object.values(body)[0]?.block;
      if (!block || typeof block.number !== "number") throw new IndexerUnavailableError("The indexer has not indexed any block yet.");
      return { number: BigInt(block.number), timestamp: block.timestamp ?? 0 };
    },
    /** Every key of `owner` (every lineage and version) with its audit trail. */
    async ownerKeys(owner: Address): Promise<IndexedKey[]> {
      const o = owner.toLowerCase();
      const [keys, events] = await Promise.all([
        rows(sql`select * from keys where owner = ${o}`),
        rows(sql`select * from key_events where owner = ${o} order by block_number, log_index`),
      ]);
      return toIndexedKeys(keys, events);
    },
    /** `owner`'s rotator as the indexer has it (`rotators`); `rotator` undefined when none was appointed or it was removed. */
    async rotatorOf(owner: Address): Promise<OwnerRotator> {
      const [r] = await rows(sql`select * from rotators where id = ${owner.toLowerCase()}`);
      if (!r) return { rotator: undefined };
      return {
        rotator: r.rotator ? getAddress(String(r.rotator)) : undefined,
        updatedBlock: BigInt(String(r.updated_block)),
        updatedAt: Number(r.updated_at),
        transactionHash: r.transaction_hash as Hex,
      };
    },
    /** The lineage `keyId` belongs to (every version) with its audit trail; empty when unknown. */
    async lineageOf(keyId: Hex): Promise<IndexedKey[]> {
      // Joins, not subqueries: Ponder's SQL endpoint refuses a subquery ("SubLink not supported").
      const id = keyId.toLowerCase();
      const [keys, events] = await Promise.all([
        rows(sql`select k.* from keys k join keys x on x.lineage = k.lineage where x.id = ${id}`),
        rows(sql`select e.* from key_events e join keys x on x.lineage = e.lineage where x.id = ${id} order by e.block_number, e.log_index`),
      ]);
      return toIndexedKeys(keys, events);
    },
    /** These keys (any owner) with their audit trails. */
    async keysById(keyIds: readonly Hex[]): Promise<IndexedKey[]> {
      if (keyIds.length === 0) return [];
      const ids = sql.join(keyIds.map((k) => sql`${k.toLowerCase()}`), sql`, `);
      const [keys, events] = await Promise.all([
        rows(sql`select * from keys where id in (${ids})`),
        rows(sql`select * from key_events where key_id in (${ids}) order by block_number, log_index`),
      ]);
      return toIndexedKeys(keys, events);
    },
    /** Every proposal, newest first, with its actions, tallies and state transitions. */
    async proposals(): Promise<IndexedProposal[]> {
      const [proposals, actions] = await Promise.all([
        rows(sql`select * from proposals order by created_block desc, id desc`),
        rows(sql`select proposal_id, "index", target, value, calldata from proposal_actions order by proposal_id, "index"`),
      ]);
      return toIndexedProposals(proposals, actions);
    },
    /**
     * Executed proposals that may have caused these key events: executed in one of
     * these transactions, or (for rows indexed without the execution's transaction)
     * in one of these blocks. `proposalForKeyEvent` decides which event is whose.
     */
    async executedProposals({ transactionHashes, blocks }: { transactionHashes: readonly Hex[]; blocks: readonly bigint[] }): Promise<ExecutedProposal[]> {
      if (transactionHashes.length === 0 && blocks.length === 0) return [];
      const none = sql`(null)`;
      const hashes = transactionHashes.length ? sql`(${sql.join(transactionHashes.map((h) => sql`${h.toLowerCase()}`), sql`, `)})` : none;
      const numbers = blocks.length ? sql`(${sql.join(blocks.map((b) => sql`${b.toString()}`), sql`, `)})` : none;
      const found = await rows(
        sql`select p.id, p.executed_block, p.executed_transaction_hash, a.target, a.calldata from proposals p join proposal_actions a on a.proposal_id = p.id where p.status = 'executed' and (p.executed_transaction_hash in ${hashes} or p.executed_block in ${numbers}) order by p.id, a."index"`,
      );
      return toExecutedProposals(found);
    },
    /** The votes on `proposalId`, in the order they were cast. */
    async proposalVotes(proposalId: bigint): Promise<IndexedVote[]> {
      return toIndexedVotes(await rows(sql`select * from votes where proposal_id = ${proposalId.toString()} order by block_number, transaction_hash`));
    },
    /** The policy in force before `block` (what an executed setPolicy replaced); undefined before the first. */
    async policyBefore(block: bigint): Promise<RegistryPolicy | undefined> {
      const [p] = await rows(sql`select * from policy_history where block_number < ${block.toString()} order by block_number desc, id desc limit 1`);
      return p ? toPolicy(p) : undefined;
    },
    async facts(): Promise<RegistryFacts> {
      const [policy, names, guardians, proposals] = await Promise.all([
        rows(sql`select * from policy_history order by block_number desc, id desc limit 1`),
        rows(sql`select bit, name from scope_names`),
        rows(sql`select id from guardians where enabled = true`),
        rows(sql`select id, proposer, description, created_block, transaction_hash from proposals`),
      ]);
      const scopeNames = ["", "", "", "", "", "", "", ""];
      for (const n of names) scopeNames[Number(n.bit)] = String(n.name);
      const p = policy[0];
      return {
        policy: p ? toPolicy(p) : undefined,
        scopeNames,
        guardians: guardians.map((g) => getAddress(String(g.id))),
        proposalsCreated: new Map(
          proposals.map((r) => {
            const proposalId = BigInt(String(r.id));
            return [
              proposalId,
              { proposalId, proposer: getAddress(String(r.proposer)), description: String(r.description), blockNumber: BigInt(String(r.created_block)), transactionHash: r.transaction_hash as Hex },
            ];
          }),
        ),
      };
    },
  };
}

const toPolicy = (p: Row): RegistryPolicy => ({
  maxLifetime: Number(p.max_lifetime),
  maxOverlap: Number(p.max_overlap),
  maxSuspension: Number(p.max_suspension),
  maxKeysPerOwner: Number(p.max_keys_per_owner),
  allowedAlgorithms: Number(p.allowed_algorithms),
  allowedScopes: Number(p.allowed_scopes),
});

const optionalBigint = (value: unknown) => (value === null || value === undefined ? undefined : BigInt(String(value)));

/** Rows of `proposals` and `proposal_actions` (snake_case) as the dApp's proposals. */
export function toIndexedProposals(proposalRows: readonly Row[], actionRows: readonly Row[]): IndexedProposal[] {
  const actionsOf = new Map<string, IndexedProposal["actions"]>();
  for (const a of actionRows) {
    const id = String(a.proposal_id);
    actionsOf.set(id, [...(actionsOf.get(id) ?? []), { target: getAddress(String(a.target)), value: BigInt(String(a.value)), calldata: a.calldata as Hex }]);
  }
  return proposalRows.map((r) => ({
    proposalId: BigInt(String(r.id)),
    proposer: getAddress(String(r.proposer)),
    description: String(r.description),
    voteStart: Number(r.vote_start),
    voteEnd: Number(r.vote_end),
    status: r.status as IndexedProposal["status"],
    eta: r.eta === null || r.eta === undefined ? 0 : Number(r.eta),
    votes: { against: BigInt(String(r.against_votes)), for: BigInt(String(r.for_votes)), abstain: BigInt(String(r.abstain_votes)) },
    voteCount: Number(r.vote_count ?? 0),
    actions: actionsOf.get(String(r.id)) ?? [],
    createdBlock: BigInt(String(r.created_block)),
    transactionHash: r.transaction_hash as Hex,
    queuedBlock: optionalBigint(r.queued_block),
    executedBlock: optionalBigint(r.executed_block),
    executedTransactionHash: (r.executed_transaction_hash as Hex | null) ?? undefined,
    canceledBlock: optionalBigint(r.canceled_block),
  }));
}

/** Rows of executed proposals joined with their actions (one row per action) as ExecutedProposals. */
export function toExecutedProposals(found: readonly Row[]): ExecutedProposal[] {
  const byId = new Map<string, ExecutedProposal>();
  for (const r of found) {
    const id = String(r.id);
    const proposal = byId.get(id) ?? {
      proposalId: BigInt(id),
      executedBlock: BigInt(String(r.executed_block)),
      executedTransactionHash: (r.executed_transaction_hash as Hex | null) ?? undefined,
      actions: [],
    };
    proposal.actions.push({ target: getAddress(String(r.target)), calldata: r.calldata as Hex });
    byId.set(id, proposal);
  }
  return [...byId.values()];
}

/** Rows of `votes` (snake_case) as the dApp's votes. */
export function toIndexedVotes(voteRows: readonly Row[]): IndexedVote[] {
  return voteRows.map((v) => ({
    voter: getAddress(String(v.voter)),
    support: Number(v.support) as IndexedVote["support"],
    weight: BigInt(String(v.weight)),
    reason: typeof v.reason === "string" ? v.reason : "",
    blockNumber: BigInt(String(v.block_number)),
    timestamp: Number(v.timestamp),
    transactionHash: v.transaction_hash as Hex,
  }));
}

const eventKinds: Record<string, KeyEventKind> = {
  KeyRegistered: "registered",
  OverlapExtended: "overlap-extended",
  OverlapEnded: "overlap-ended",
  KeyRevoked: "revoked",
  OwnerRevoked: "revoked",
  KeySuspended: "suspended",
  SuspensionExtended: "suspension-extended",
  KeyUnsuspended: "unsuspended",
  KeyReleased: "released",
};
/** Audit rows of calls that reached a key and changed nothing: not part of its timeline. */
const unchanged = new Set(["KeySkipped", "KeyReleaseSkipped"]);

/** The expiry a key was registered with: its KeyRegistered row, or the KeyRotated row that brought it in. */
function registeredExpiry(eventRows: readonly Row[], predecessor: Hex | undefined): number | undefined {
  const row = eventRows.find((e) => e.kind === "KeyRegistered" || (e.kind === "KeyRotated" && predecessor !== undefined && e.related_key_id === predecessor));
  return row ? Number(row.expires_at) : undefined;
}

/** Rows of `keys` and `key_events` (snake_case, as SQL over HTTP returns them) as the dApp's keys. */
export function toIndexedKeys(keyRows: readonly Row[], eventRows: readonly Row[]): IndexedKey[] {
  const byKey = new Map<string, Row[]>();
  for (const e of eventRows) {
    const id = String(e.key_id);
    byKey.set(id, [...(byKey.get(id) ?? []), e]);
  }
  const successorOf = new Map(keyRows.map((r) => [String(r.id), (r.successor as Hex | null) ?? undefined]));
  const stateOf = new Map(keyRows.map((r) => [String(r.id), String(r.state)]));
  return keyRows.map((r) => {
    const keyId = r.id as Hex;
    const predecessor = (r.predecessor as Hex | null) ?? undefined;
    const successor = (r.successor as Hex | null) ?? undefined;
    const events = (byKey.get(keyId) ?? [])
      .filter((e) => !unchanged.has(String(e.kind)))
      .map((e): KeyEvent => {
        const related = (e.related_key_id as Hex | null) ?? undefined;
        const kind: KeyEventKind = e.kind === "KeyRotated" ? (related && related === predecessor ? "rotated-in" : "rotated-out") : (eventKinds[String(e.kind)] ?? "registered");
        return {
          kind,
          blockNumber: BigInt(String(e.block_number)),
          logIndex: Number(e.log_index),
          transactionHash: e.transaction_hash as Hex,
          timestamp: Number(e.timestamp),
          by: e.actor ? getAddress(String(e.actor)) : undefined,
          reason: typeof e.reason === "string" && e.reason !== "" ? e.reason : undefined,
          expiresAt: kind === "rotated-out" || kind === "overlap-extended" || kind === "overlap-ended" ? Number(e.expires_at) : undefined,
          otherKeyId: related,
        };
      })
      .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
    return {
      keyId,
      owner: getAddress(String(r.owner)),
      alg: algorithmFromChain(Number(r.algorithm)),
      label: typeof r.label === "string" ? r.label : "",
      version: Number(r.version),
      scopes: Number(r.scopes),
      notBefore: Number(r.not_before),
      expiresAt: Number(r.expires_at),
      state: r.state as IndexedKey["state"],
      suspendedUntil: Number(r.suspended_until ?? 0),
      rotated: successor !== undefined,
      released: r.released === true,
      // The registration event holds the expiry the key was registered with.
      originalExpiresAt: registeredExpiry(byKey.get(keyId) ?? [], predecessor),
      // Its successor was rotated in turn, or revoked (revoking a head ends the lineage).
      superseded: successor !== undefined && (successorOf.get(successor) !== undefined || stateOf.get(successor) === "revoked"),
      previousKeyId: predecessor,
      nextKeyId: successor,
      lineageId: r.lineage as Hex,
      publicKey: r.public_key as Hex,
      proof: r.proof as Hex,
      events,
    };
  });
}

export class IndexerUnavailableError extends Error {
  override name = "IndexerUnavailableError";
}
