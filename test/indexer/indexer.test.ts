// The real indexer (`ponder start` on indexer/) over a real Hardhat node, read only
// through its public query API (SQL over HTTP with @ponder/client), on embedded
// PGlite and on a real PostgreSQL server.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { and, eq } from "@ponder/client";
import { encodeFunctionData, type Hex, keccak256, stringToHex, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../src/generated/abis.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, type LocalNode, mine, startLocalNode } from "../helpers/localNode.ts";
import { passProposal } from "../helpers/passProposal.ts";
import { type PostgresServer, postgresSkipReason, startPostgres } from "../helpers/postgres.ts";
import { registerKey } from "../helpers/registerKey.ts";
import { type IndexerUnderTest, indexedBlock, registryCall, rotateKey, schema, setRotator, startTestIndexer, waitFor } from "./indexerFixture.ts";

process.env.PONDER_TELEMETRY_DISABLED = "true";
const run = promisify(execFile);
if (postgresSkipReason) console.log(`Skipping the indexer-on-Postgres tests: ${postgresSkipReason}`);

const owner = devAccounts[1];
const guardian = devAccounts[9];

function indexerSuite(database: "PGlite" | "Postgres") {
  let node: LocalNode;
  let postgres: PostgresServer | undefined;
  let indexer: IndexerUnderTest;

  beforeAll(async () => {
    node = await startLocalNode();
    if (database === "Postgres") postgres = await startPostgres();
    indexer = await startTestIndexer({ node, databaseUrl: postgres?.url, databaseSchema: "keyledger_test" });
  });
  afterAll(async () => {
    await indexer?.stop();
    await postgres?.stop();
    await node?.stop();
  });

  const lower = (value: string) => value.toLowerCase() as Hex;
  const keysOf = (address: string) => indexer.client.db.select().from(schema.keys).where(eq(schema.keys.owner, lower(address)));
  const eventsOf = (keyId: Hex) => indexer.client.db.select().from(schema.keyEvents).where(eq(schema.keyEvents.keyId, lower(keyId)));

  it("shows registrations, rotations, suspensions and revocations as current state, lineages and an audit trail", async () => {
    const a = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label: "billing" });
    const b = await rotateKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, oldKeyId: a.keyId });
    await registryCall(node.rpcUrl, node.manifest, guardian, "suspend", [b.keyId, "seen in a paste"]);
    const c = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label: "ci" });
    const revoked = await registryCall(node.rpcUrl, node.manifest, owner, "revoke", [c.keyId, "laptop lost"]);

    const rows = await waitFor(() => keysOf(owner), (r) => r.find((k) => k.id === lower(c.keyId))?.state === "revoked");
    const byId = new Map(rows.map((k) => [k.id, k]));
    expect(rows).toHaveLength(3);
    expect(byId.get(lower(a.keyId))).toMatchObject({ state: "active", version: 1, label: "billing", lineage: lower(a.keyId), successor: lower(b.keyId) });
    expect(byId.get(lower(b.keyId))).toMatchObject({ state: "suspended", version: 2, label: "billing", lineage: lower(a.keyId), predecessor: lower(a.keyId), scopes: 1 });
    // The rotation set the old key's expiry to now + overlap.
    expect(byId.get(lower(a.keyId))!.expiresAt).toBeLessThan(a.expiresAt);

    const lineages = await indexer.client.db.select().from(schema.lineages).where(eq(schema.lineages.owner, lower(owner)));
    expect(lineages.map((l) => [l.id, l.currentKeyId, l.latestVersion]).sort()).toEqual(
      [[lower(a.keyId), lower(b.keyId), 2], [lower(c.keyId), lower(c.keyId), 1]].sort(),
    );

    const trail = await eventsOf(c.keyId);
    expect(trail.map((e) => e.kind).sort()).toEqual(["KeyRegistered", "KeyRevoked"]);
    expect(trail.find((e) => e.kind === "KeyRevoked")).toMatchObject({
      actor: lower(owner),
      reason: "laptop lost",
      state: "revoked",
      blockNumber: revoked.blockNumber,
      transactionHash: revoked.transactionHash,
    });
    const suspension = (await eventsOf(b.keyId)).find((e) => e.kind === "KeySuspended");
    expect(suspension).toMatchObject({ actor: lower(guardian), reason: "seen in a paste" });
    expect((await eventsOf(a.keyId)).find((e) => e.kind === "KeyRotated")).toMatchObject({ relatedKeyId: lower(b.keyId) });
    if (postgres) {
      // The rows really are in the Postgres server, in the instance's schema.
      const { stdout } = await run("psql", [postgres.url, "-tAc", `select count(*) from keyledger_test.keys where owner = '${lower(owner)}'`]);
      expect(stdout.trim()).toBe("3");
    }
  });

  it("shows a DAO proposal with its actions and votes, and the guardian it appointed", async () => {
    const registry = node.manifest.contracts.KeyRegistry.address;
    const appointed = devAccounts[8];
    const data = encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [appointed, true] });
    const { proposalId, receipt } = await passProposal({ rpcUrl: node.rpcUrl, manifest: node.manifest, actions: [{ target: registry, data }], description: `appoint ${database}` });

    const [proposal] = await waitFor(
      () => indexer.client.db.select().from(schema.proposals).where(eq(schema.proposals.id, proposalId)),
      (r) => r[0]?.status === "executed",
    );
    expect(proposal).toMatchObject({ proposer: lower(devAccounts[1]), description: `appoint ${database}`, againstVotes: 0n, abstainVotes: 0n, voteCount: 5, canceledBlock: null });
    expect(proposal!.forVotes).toBe(5n * 200_000n * 10n ** 18n);
    // The state transitions with their blocks: queued before executed, executed in the receipt's block.
    expect(proposal!.executedBlock).toBe(receipt.blockNumber);
    expect(proposal!.executedTransactionHash).toBe(receipt.transactionHash);
    expect(proposal!.queuedBlock).toBeGreaterThan(proposal!.createdBlock);
    expect(proposal!.queuedBlock).toBeLessThan(receipt.blockNumber);
    expect(proposal!.queuedTransactionHash).toMatch(/^0x[0-9a-f]{64}$/);
    const actions = await indexer.client.db.select().from(schema.proposalActions).where(eq(schema.proposalActions.proposalId, proposalId));
    expect(actions).toEqual([{ proposalId, index: 0, target: lower(registry), value: 0n, signature: "", calldata: data }]);
    const votes = await indexer.client.db.select().from(schema.votes).where(and(eq(schema.votes.proposalId, proposalId), eq(schema.votes.support, 1)));
    expect(votes.map((v) => v.voter).sort()).toEqual(devAccounts.slice(0, 5).map(lower).sort());
    const guardians = await waitFor(() => indexer.client.db.select().from(schema.guardians), (r) => r.some((g) => g.id === lower(appointed)));
    expect(guardians.map((g) => [g.id, g.enabled]).sort()).toEqual([[lower(appointed), true], [lower(guardian), true]].sort());
    expect((await indexer.client.db.select().from(schema.policyHistory)).length).toBeGreaterThanOrEqual(1);
  });

  it("records a cancelled proposal with the block and transaction of its cancellation", async () => {
    const { publicClient, walletClient } = localClients(node.rpcUrl);
    const governor = { address: node.manifest.contracts.KeyLedgerGovernor.address, abi: keyLedgerGovernorAbi } as const;
    const proposer = devAccounts[1];
    const args = [[node.manifest.contracts.KeyRegistry.address], [0n], [encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [devAccounts[7], true] })], `cancel me ${database}`] as const;
    const created = await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract({ ...governor, account: proposer, functionName: "propose", args }) });
    const proposalId = await publicClient.readContract({ ...governor, functionName: "hashProposal", args: [args[0], args[1], args[2], keccak256(stringToHex(args[3]))] });
    const cancel = await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract({ ...governor, account: proposer, functionName: "cancel", args: [proposalId] }) });
    expect(cancel.status).toBe("success");
    const [row] = await waitFor(() => indexer.client.db.select().from(schema.proposals).where(eq(schema.proposals.id, proposalId)), (r) => r[0]?.status === "canceled");
    expect(row).toMatchObject({ createdBlock: created.blockNumber, canceledBlock: cancel.blockNumber, canceledTransactionHash: cancel.transactionHash, queuedBlock: null, executedBlock: null, voteCount: 0 });
  });

  it("follows a real reorg: a key registered in blocks that were replaced disappears", async () => {
    const { publicClient } = localClients(node.rpcUrl);
    const other = devAccounts[2];
    const snapshot = (await publicClient.request({ method: "evm_snapshot" as never })) as Hex;
    const doomed = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: other, label: "doomed" });
    await waitFor(() => keysOf(other), (r) => r.some((k) => k.id === lower(doomed.keyId)));
    const headBefore = await indexedBlock(indexer.url);

    expect(await publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never })).toBe(true);
    // The replacement chain: a different key in the reverted block's height, then more blocks past the old head.
    const survivor = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: other, label: "survivor" });
    await mine(node.rpcUrl, 3);

    const rows = await waitFor(() => keysOf(other), (r) => r.length === 1 && r[0]!.id === lower(survivor.keyId));
    expect(rows[0]).toMatchObject({ label: "survivor", createdBlock: survivor.receipt.blockNumber });
    expect(await eventsOf(doomed.keyId)).toEqual([]);
    expect(await indexedBlock(indexer.url)).toBeGreaterThan(headBefore);
  });

  it("registry v2: a second rotation ends the first key's overlap (OverlapEnded), a batch revoke records skipped keys (KeySkipped)", async () => {
    const lineageOwner = devAccounts[3];
    const v1 = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: lineageOwner, label: "v2-lineage" });
    const v2 = await rotateKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: lineageOwner, oldKeyId: v1.keyId });
    const v3 = await rotateKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: lineageOwner, oldKeyId: v2.keyId });
    const { publicClient, walletClient } = localClients(node.rpcUrl);
    const registry = node.manifest.contracts.KeyRegistry.address;
    await registryCall(node.rpcUrl, node.manifest, lineageOwner, "revoke", [v1.keyId, "old"]);
    const hash = await walletClient.writeContract({ account: lineageOwner, address: registry, abi: keyRegistryAbi, functionName: "revokeBatch", args: [[v1.keyId, v3.keyId], "incident"] });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");

    const trail = await waitFor(() => eventsOf(v1.keyId), (r) => r.some((e) => e.kind === "KeySkipped"));
    expect(trail.map((e) => e.kind)).toEqual(["KeyRegistered", "KeyRotated", "OverlapEnded", "KeyRevoked", "KeySkipped"]);
    expect(trail.find((e) => e.kind === "KeySkipped")).toMatchObject({ state: "revoked", actor: lower(lineageOwner) });
    const ended = trail.find((e) => e.kind === "OverlapEnded")!;
    expect(ended.expiresAt).toBe(Number(ended.timestamp));
    const rows = await waitFor(() => keysOf(lineageOwner), (r) => r.find((k) => k.id === lower(v3.keyId))?.state === "revoked");
    expect(rows.find((k) => k.id === lower(v1.keyId))!.expiresAt).toBe(Number(ended.timestamp));
  });

  it("signed-ops registry: records the owner's rotator, names it as the actor of its rotation and revocation, and its removal", async () => {
    const delegating = devAccounts[5];
    const rotator = devAccounts[6];
    const rotatorOf = () => indexer.client.db.select().from(schema.rotators).where(eq(schema.rotators.id, lower(delegating)));
    const a = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: delegating, label: `delegated-${database}` });
    const appointed = await setRotator(node.rpcUrl, node.manifest, delegating, rotator);
    const [row] = await waitFor(rotatorOf, (r) => r.length === 1);
    expect(row).toEqual({ id: lower(delegating), rotator: lower(rotator), updatedBlock: appointed.blockNumber, updatedAt: expect.any(BigInt), transactionHash: appointed.transactionHash });

    // The rotator sends the rotation; the new key is the owner's.
    const b = await rotateKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: delegating, oldKeyId: a.keyId, sender: rotator });
    await registryCall(node.rpcUrl, node.manifest, rotator, "revoke", [a.keyId, "rotated by the bot"]);
    const rows = await waitFor(() => keysOf(delegating), (r) => r.length === 2 && r.find((k) => k.id === lower(a.keyId))?.state === "revoked");
    expect(rows.find((k) => k.id === lower(b.keyId))).toMatchObject({ owner: lower(delegating), version: 2, predecessor: lower(a.keyId) });
    const trail = [...(await eventsOf(a.keyId)), ...(await eventsOf(b.keyId))];
    expect(trail.map((e) => [e.kind, e.keyId, e.actor])).toEqual([
      ["KeyRegistered", lower(a.keyId), lower(delegating)],
      ["KeyRotated", lower(a.keyId), lower(rotator)],
      ["KeyRevoked", lower(a.keyId), lower(rotator)],
      ["KeyRotated", lower(b.keyId), lower(rotator)],
    ]);
    // The owner's own rotation still names the owner.
    const c = await rotateKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: delegating, oldKeyId: b.keyId });
    const own = await waitFor(() => eventsOf(c.keyId), (r) => r.length === 1);
    expect(own[0]).toMatchObject({ kind: "KeyRotated", actor: lower(delegating) });

    const removed = await setRotator(node.rpcUrl, node.manifest, delegating, zeroAddress);
    const [after] = await waitFor(rotatorOf, (r) => r[0]?.rotator === null);
    expect(after).toMatchObject({ rotator: null, updatedBlock: removed.blockNumber, transactionHash: removed.transactionHash });
  });

  it("registry v2: a suspension carries its bound; a DAO-revoked owner has every key revoked, each with the revocation in its trail", async () => {
    const sanctioned = devAccounts[4];
    const registry = node.manifest.contracts.KeyRegistry.address;
    const a = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: sanctioned, label: `sanctioned-a-${database}` });
    const b = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: sanctioned, label: `sanctioned-b-${database}` });
    const suspendedAt = await registryCall(node.rpcUrl, node.manifest, guardian, "suspend", [a.keyId, "leak?"]);
    const block = await localClients(node.rpcUrl).publicClient.getBlock({ blockNumber: suspendedAt.blockNumber });
    const suspended = await waitFor(() => keysOf(sanctioned), (r) => r.find((k) => k.id === lower(a.keyId))?.state === "suspended");
    expect(suspended.find((k) => k.id === lower(a.keyId))!.suspendedUntil).toBe(Number(block.timestamp) + node.manifest.policy.maxSuspension);

    const data = encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeOwner", args: [sanctioned, "fraud"] });
    await passProposal({ rpcUrl: node.rpcUrl, manifest: node.manifest, actions: [{ target: registry, data }], description: `revoke owner ${database}` });
    const rows = await waitFor(() => keysOf(sanctioned), (r) => r.length === 2 && r.every((k) => k.state === "revoked"));
    expect(rows.map((k) => k.state)).toEqual(["revoked", "revoked"]);
    const [revokedOwner] = await waitFor(() => indexer.client.db.select().from(schema.revokedOwners).where(eq(schema.revokedOwners.id, lower(sanctioned))), (r) => r.length === 1);
    expect(revokedOwner).toMatchObject({ reason: "fraud" });
    for (const keyId of [a.keyId, b.keyId]) {
      const trail = await eventsOf(keyId);
      expect(trail.at(-1)).toMatchObject({ kind: "OwnerRevoked", state: "revoked", reason: "fraud", actor: lower(node.manifest.contracts.KeyLedgerTimelock.address) });
    }
  });
}

describe("indexer on PGlite (the npm start default)", () => indexerSuite("PGlite"));
describe.skipIf(postgresSkipReason !== undefined)("indexer on Postgres (DATABASE_URL)", () => indexerSuite("Postgres"));
