// The DAO as `npm start` deploys it: a real Hardhat node and the deploy module's
// contracts and parameters, driven through the public contract interfaces.
import { type Abi, type Address, decodeFunctionData, encodeFunctionData, type Hex, keccak256, parseEther, parseEventLogs, stringToHex, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerGovernorAbi, keyLedgerTimelockAbi, keyLedgerTokenAbi, keyRegistryAbi } from "../../src/generated/abis.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { passProposal } from "../helpers/passProposal.ts";
import { registerKey } from "../helpers/registerKey.ts";
import { revertError } from "../helpers/revertError.ts";
import { InvalidProposerError, ProposerSuffixMismatchError, withProposerSuffix } from "../../src/governance/withProposerSuffix.ts";

const allAbis = [...keyRegistryAbi, ...keyLedgerGovernorAbi, ...keyLedgerTimelockAbi, ...keyLedgerTokenAbi] as Abi;
const ProposalState = { Pending: 0, Active: 1, Canceled: 2, Defeated: 3, Succeeded: 4, Queued: 5, Expired: 6, Executed: 7 };
const KeyState = { Active: 1, Suspended: 2, Revoked: 3 };
const Reason = { Valid: 0, Revoked: 2, Suspended: 3 };
const day = 86_400;

let node: LocalNode;
let clients: ReturnType<typeof localClients>;
let registry: { address: Address; abi: typeof keyRegistryAbi };
let governor: { address: Address; abi: typeof keyLedgerGovernorAbi };
let token: { address: Address; abi: typeof keyLedgerTokenAbi };
let timelock: { address: Address; abi: typeof keyLedgerTimelockAbi };
/** Ids of every proposal created here, in creation order (checked against GovernorStorage). */
const proposalIds: bigint[] = [];
const [deployer, alice, bob, carol, dave, owner, smallHolder, , newGuardian, guardian] = devAccounts;

beforeAll(async () => {
  node = await startLocalNode();
  clients = localClients(node.rpcUrl);
  const c = node.manifest.contracts;
  registry = { address: c.KeyRegistry.address, abi: keyRegistryAbi };
  governor = { address: c.KeyLedgerGovernor.address, abi: keyLedgerGovernorAbi };
  token = { address: c.KeyLedgerToken.address, abi: keyLedgerTokenAbi };
  timelock = { address: c.KeyLedgerTimelock.address, abi: keyLedgerTimelockAbi };
});

afterAll(async () => {
  await node?.stop();
});

async function send(hash: Promise<Hex>) {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash: await hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

const read = {
  state: (id: bigint) => clients.publicClient.readContract({ ...governor, functionName: "state", args: [id] }),
  key: (keyId: Hex) => clients.publicClient.readContract({ ...registry, functionName: "getKey", args: [keyId] }),
  status: (keyId: Hex) => clients.publicClient.readContract({ ...registry, functionName: "keyStatus", args: [keyId, 0b01] }),
  votes: (account: Address) => clients.publicClient.readContract({ ...token, functionName: "getVotes", args: [account] }),
  now: async () => (await clients.publicClient.getBlock()).timestamp,
};

async function advancePast(timepoint: bigint) {
  const now = await read.now();
  if (now <= timepoint) await increaseTime(node.rpcUrl, Number(timepoint - now) + 1);
}

/** Creates a proposal and returns what queue/execute need. */
async function propose(calldatas: Hex[], description: string, from: Address = alice) {
  const targets = calldatas.map(() => registry.address);
  const values = calldatas.map(() => 0n);
  const receipt = await send(
    clients.walletClient.writeContract({ ...governor, account: from, functionName: "propose", args: [targets, values, calldatas, description] }),
  );
  const [created] = parseEventLogs({ abi: keyLedgerGovernorAbi, logs: receipt.logs, eventName: "ProposalCreated" });
  const proposalId = created!.args.proposalId;
  proposalIds.push(proposalId);
  const args = [targets, values, calldatas, keccak256(stringToHex(description))] as const;
  return { proposalId, args };
}

function revokeCall(keyId: Hex, reason = "compromised") {
  return encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevoke", args: [keyId, reason] });
}

describe("the deployed DAO", () => {
  it("uses the timestamp clock and the local governance parameters", async () => {
    const { publicClient } = clients;
    expect(await publicClient.readContract({ ...token, functionName: "CLOCK_MODE" })).toBe("mode=timestamp");
    expect(await publicClient.readContract({ ...governor, functionName: "CLOCK_MODE" })).toBe("mode=timestamp");
    expect(BigInt(await publicClient.readContract({ ...token, functionName: "clock" }))).toBe(await read.now());
    expect(await publicClient.readContract({ ...governor, functionName: "votingDelay" })).toBe(1n);
    expect(await publicClient.readContract({ ...governor, functionName: "votingPeriod" })).toBe(300n);
    expect(await publicClient.readContract({ ...governor, functionName: "quorumNumerator" })).toBe(4n);
    expect(await publicClient.readContract({ ...governor, functionName: "proposalThreshold" })).toBe(0n);
    expect(await publicClient.readContract({ ...timelock, functionName: "getMinDelay" })).toBe(60n);
    const timepoint = (await read.now()) - 1n;
    expect(await publicClient.readContract({ ...governor, functionName: "quorum", args: [timepoint] })).toBe(parseEther("40000"));
  });

  it("gives the registry to the timelock and the timelock only to the governor", async () => {
    const { publicClient } = clients;
    const role = (name: string) => keccak256(stringToHex(name));
    const hasRole = (r: Hex, account: Address) => publicClient.readContract({ ...timelock, functionName: "hasRole", args: [r, account] });
    const admin = `0x${"00".repeat(32)}` as Hex;
    expect(await publicClient.readContract({ ...registry, functionName: "governance" })).toBe(timelock.address);
    expect(await publicClient.readContract({ ...governor, functionName: "timelock" })).toBe(timelock.address);
    expect(await publicClient.readContract({ ...governor, functionName: "token" })).toBe(token.address);
    expect(await hasRole(role("PROPOSER_ROLE"), governor.address)).toBe(true);
    expect(await hasRole(role("CANCELLER_ROLE"), governor.address)).toBe(true);
    expect(await hasRole(role("EXECUTOR_ROLE"), zeroAddress)).toBe(true);
    expect(await hasRole(admin, deployer)).toBe(false);
    expect(await hasRole(role("PROPOSER_ROLE"), deployer)).toBe(false);
    // Direct calls to governance functions fail for everyone else, token holders included.
    const keyId = keccak256("0x01");
    const direct = clients.walletClient.writeContract({ ...registry, account: deployer, functionName: "governanceRevoke", args: [keyId, "no"] });
    expect(await revertError(direct, allAbis)).toEqual({ errorName: "NotGovernance", args: [deployer] });
  });

  it("splits 1,000,000 KLG over dev accounts 0..4, each self-delegated, and delegation moves votes", async () => {
    const { publicClient, walletClient } = clients;
    expect(await publicClient.readContract({ ...token, functionName: "totalSupply" })).toBe(parseEther("1000000"));
    for (const holder of [deployer, alice, bob, carol, dave]) {
      expect(await publicClient.readContract({ ...token, functionName: "balanceOf", args: [holder] })).toBe(parseEther("200000"));
      expect(await publicClient.readContract({ ...token, functionName: "delegates", args: [holder] })).toBe(holder);
      expect(await read.votes(holder)).toBe(parseEther("200000"));
    }
    await send(walletClient.writeContract({ ...token, account: dave, functionName: "delegate", args: [carol] }));
    expect(await read.votes(carol)).toBe(parseEther("400000"));
    expect(await read.votes(dave)).toBe(0n);
    await send(walletClient.writeContract({ ...token, account: dave, functionName: "delegate", args: [dave] }));
    expect(await read.votes(dave)).toBe(parseEther("200000"));
    // A new holder has no votes until it delegates (setup for the no-quorum case below).
    await send(walletClient.writeContract({ ...token, account: deployer, functionName: "transfer", args: [smallHolder, parseEther("10000")] }));
    expect(await read.votes(smallHolder)).toBe(0n);
    await send(walletClient.writeContract({ ...token, account: smallHolder, functionName: "delegate", args: [smallHolder] }));
    expect(await read.votes(smallHolder)).toBe(parseEther("10000"));
  });
});

describe("DAO revocation", () => {
  it("propose, vote, queue, wait, execute: the key is revoked by the timelock", async () => {
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, alg: "ecdsa-p256-sha256", label: "trading-bot" });
    expect((await read.key(keyId)).state).toBe(KeyState.Active);

    const { proposalId, args } = await propose([revokeCall(keyId)], `Revoke ${keyId}: leaked in a public repo`);
    expect(await read.state(proposalId)).toBe(ProposalState.Pending);
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }));
    expect(await read.state(proposalId)).toBe(ProposalState.Active);

    const vote = (voter: Address, support: number) =>
      send(clients.walletClient.writeContract({ ...governor, account: voter, functionName: "castVote", args: [proposalId, support] }));
    await vote(alice, 1);
    await vote(bob, 1);
    await vote(carol, 0);
    await vote(dave, 2);
    const [against, forVotes, abstain] = await clients.publicClient.readContract({ ...governor, functionName: "proposalVotes", args: [proposalId] });
    expect({ against, forVotes, abstain }).toEqual({ against: parseEther("200000"), forVotes: parseEther("400000"), abstain: parseEther("200000") });
    const early = clients.walletClient.writeContract({ ...governor, account: alice, functionName: "queue", args });
    expect((await revertError(early, allAbis)).errorName).toBe("GovernorUnexpectedProposalState");

    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }));
    expect(await read.state(proposalId)).toBe(ProposalState.Succeeded);
    await send(clients.walletClient.writeContract({ ...governor, account: alice, functionName: "queue", args }));
    expect(await read.state(proposalId)).toBe(ProposalState.Queued);
    // The timelock holds it for its delay: still valid meanwhile, and execution is refused.
    const tooSoon = clients.walletClient.writeContract({ ...governor, account: alice, functionName: "execute", args });
    expect((await revertError(tooSoon, allAbis)).errorName).toBe("TimelockUnexpectedOperationState");
    expect((await read.key(keyId)).state).toBe(KeyState.Active);

    const eta = await clients.publicClient.readContract({ ...governor, functionName: "proposalEta", args: [proposalId] });
    await advancePast(eta - 1n);
    const receipt = await send(clients.walletClient.writeContract({ ...governor, account: bob, functionName: "execute", args }));
    expect(await read.state(proposalId)).toBe(ProposalState.Executed);
    expect((await read.key(keyId)).state).toBe(KeyState.Revoked);
    expect(await read.status(keyId)).toEqual([false, Reason.Revoked]);
    const [revoked] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRevoked" });
    expect(revoked?.args).toEqual({ keyId, by: timelock.address, reason: "compromised" });
  });

  it("a queued multi-key proposal still executes after an owner revokes one of its keys (issue 9)", async () => {
    // Before registry v2, governanceRevoke reverted on a revoked key: an owner (or an
    // attacker holding one of the keys) could brick a queued incident proposal by
    // revoking one key while it sat in the timelock. Now that key is skipped.
    const keys: Hex[] = [];
    for (let i = 0; i < 3; i++) keys.push((await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, alg: "ed25519", label: `bot-${i}` })).keyId);
    const [a, b, c] = keys as [Hex, Hex, Hex];
    const calldatas = [
      revokeCall(a, "incident 9"),
      encodeFunctionData({ abi: keyRegistryAbi, functionName: "governanceRevokeBatch", args: [[b, c, b], "incident 9"] }),
    ];
    const { proposalId, args } = await propose(calldatas, `Revoke the incident 9 keys ${keys.join(" ")}`);
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }));
    for (const voter of [alice, bob, carol]) {
      await send(clients.walletClient.writeContract({ ...governor, account: voter, functionName: "castVote", args: [proposalId, 1] }));
    }
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }));
    await send(clients.walletClient.writeContract({ ...governor, account: alice, functionName: "queue", args }));
    // While it waits in the timelock the owner revokes two of its keys.
    await send(clients.walletClient.writeContract({ ...registry, account: owner, functionName: "revoke", args: [a, "mine"] }));
    await send(clients.walletClient.writeContract({ ...registry, account: owner, functionName: "revoke", args: [c, "mine"] }));
    await advancePast((await clients.publicClient.readContract({ ...governor, functionName: "proposalEta", args: [proposalId] })) - 1n);
    const receipt = await send(clients.walletClient.writeContract({ ...governor, account: bob, functionName: "execute", args }));
    expect(await read.state(proposalId)).toBe(ProposalState.Executed);
    const events = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs }).map((l) => ({ eventName: l.eventName, keyId: (l.args as { keyId: Hex }).keyId }));
    expect(events).toEqual([
      { eventName: "KeySkipped", keyId: a },
      { eventName: "KeyRevoked", keyId: b },
      { eventName: "KeySkipped", keyId: c },
      { eventName: "KeySkipped", keyId: b },
    ]);
    for (const keyId of keys) expect((await read.key(keyId)).state).toBe(KeyState.Revoked);
    const [revokedB] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeyRevoked" });
    expect(revokedB?.args.by).toBe(timelock.address);
  });

  it("a proposal voted down changes nothing and cannot be queued or executed", async () => {
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner });
    const { proposalId, args } = await propose([revokeCall(keyId)], "Revoke a key nobody wants revoked");
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }));
    for (const [voter, support] of [[alice, 0], [bob, 0], [carol, 1]] as const) {
      await send(clients.walletClient.writeContract({ ...governor, account: voter, functionName: "castVote", args: [proposalId, support] }));
    }
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }));
    expect(await read.state(proposalId)).toBe(ProposalState.Defeated);
    const queue = clients.walletClient.writeContract({ ...governor, account: carol, functionName: "queue", args });
    expect((await revertError(queue, allAbis)).errorName).toBe("GovernorUnexpectedProposalState");
    const execute = clients.walletClient.writeContract({ ...governor, account: carol, functionName: "execute", args });
    expect((await revertError(execute, allAbis)).errorName).toBe("GovernorUnexpectedProposalState");
    expect((await read.key(keyId)).state).toBe(KeyState.Active);
    expect(await read.status(keyId)).toEqual([true, Reason.Valid]);
  });

  it("a proposal that only a small holder supports misses the quorum and is defeated", async () => {
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, alg: "ecdsa-secp256k1-sha256" });
    const { proposalId, args } = await propose([revokeCall(keyId)], "Revoke with too few votes", smallHolder);
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }));
    await send(clients.walletClient.writeContract({ ...governor, account: smallHolder, functionName: "castVote", args: [proposalId, 1] }));
    const snapshot = await clients.publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] });
    const quorum = await clients.publicClient.readContract({ ...governor, functionName: "quorum", args: [snapshot] });
    expect(quorum).toBe(parseEther("40000"));
    await advancePast(await clients.publicClient.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }));
    // 10,000 for and nothing against is still a defeat: 10,000 < the 40,000 quorum.
    expect(await read.state(proposalId)).toBe(ProposalState.Defeated);
    const queue = clients.walletClient.writeContract({ ...governor, account: smallHolder, functionName: "queue", args });
    expect((await revertError(queue, allAbis)).errorName).toBe("GovernorUnexpectedProposalState");
    expect((await read.key(keyId)).state).toBe(KeyState.Active);
  });
});

describe("guardian suspension", () => {
  it("a guardian suspends at once; neither owner nor guardian can lift it; a DAO proposal does", async () => {
    const { walletClient } = clients;
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner });
    const stranger = walletClient.writeContract({ ...registry, account: owner, functionName: "suspend", args: [keyId, "mine"] });
    expect(await revertError(stranger, allAbis)).toEqual({ errorName: "NotGuardian", args: [owner] });

    const receipt = await send(walletClient.writeContract({ ...registry, account: guardian, functionName: "suspend", args: [keyId, "key seen in a paste site"] }));
    const [suspended] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "KeySuspended" });
    // Bounded (registry v2): it lapses after the DAO's maxSuspension unless the DAO acts.
    const at = Number((await clients.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp);
    expect(suspended?.args).toEqual({ keyId, guardian, reason: "key seen in a paste site", until: at + node.manifest.policy.maxSuspension });
    expect((await read.key(keyId)).state).toBe(KeyState.Suspended);
    expect(await read.status(keyId)).toEqual([false, Reason.Suspended]);

    for (const account of [owner, guardian]) {
      const lift = walletClient.writeContract({ ...registry, account, functionName: "unsuspend", args: [keyId] });
      expect(await revertError(lift, allAbis)).toEqual({ errorName: "NotGovernance", args: [account] });
    }
    expect((await read.key(keyId)).state).toBe(KeyState.Suspended);

    const unsuspend = encodeFunctionData({ abi: keyRegistryAbi, functionName: "unsuspend", args: [keyId] });
    const passed = await passProposal({
      rpcUrl: node.rpcUrl,
      manifest: node.manifest,
      actions: [{ target: registry.address, data: unsuspend }],
      description: `Lift the suspension of ${keyId}: false alarm`,
    });
    proposalIds.push(passed.proposalId);
    const [lifted] = parseEventLogs({ abi: keyRegistryAbi, logs: passed.receipt.logs, eventName: "KeyUnsuspended" });
    expect(lifted?.args).toEqual({ keyId, by: timelock.address });
    expect((await read.key(keyId)).state).toBe(KeyState.Active);
    expect(await read.status(keyId)).toEqual([true, Reason.Valid]);
  });
});

describe("proposal listing (GovernorStorage)", () => {
  it("lists every proposal with its actions without an indexer", async () => {
    const { publicClient } = clients;
    const count = await publicClient.readContract({ ...governor, functionName: "proposalCount" });
    expect(count).toBe(BigInt(proposalIds.length));
    for (const [index, expected] of proposalIds.entries()) {
      const [proposalId, targets, values, calldatas] = await publicClient.readContract({
        ...governor,
        functionName: "proposalDetailsAt",
        args: [BigInt(index)],
      });
      expect(proposalId).toBe(expected);
      expect(targets).toEqual(calldatas.map(() => registry.address));
      expect(values).toEqual(calldatas.map(() => 0n));
      for (const data of calldatas) {
        const call = decodeFunctionData({ abi: keyRegistryAbi, data });
        expect(["governanceRevoke", "governanceRevokeBatch", "unsuspend"]).toContain(call.functionName);
      }
    }
    const states = await Promise.all(proposalIds.map((id) => read.state(id)));
    expect(states).toEqual([ProposalState.Executed, ProposalState.Executed, ProposalState.Defeated, ProposalState.Defeated, ProposalState.Executed]);
  });
});

describe("DAO-controlled registry settings", () => {
  it("the DAO changes the policy, names a scope and replaces a guardian", async () => {
    const { publicClient, walletClient } = clients;
    const action = (data: Hex) => ({ target: registry.address, data });
    const policy = { maxLifetime: 90 * day, maxOverlap: 7 * day, maxSuspension: 2 * day, maxKeysPerOwner: 10, allowedAlgorithms: 0b0010, allowedScopes: 0x1f };
    const { receipt } = await passProposal({
      rpcUrl: node.rpcUrl,
      manifest: node.manifest,
      actions: [
        action(encodeFunctionData({ abi: keyRegistryAbi, functionName: "setPolicy", args: [policy] })),
        action(encodeFunctionData({ abi: keyRegistryAbi, functionName: "setScopeName", args: [4, "stake"] })),
        action(encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [newGuardian, true] })),
        action(encodeFunctionData({ abi: keyRegistryAbi, functionName: "setGuardian", args: [guardian, false] })),
      ],
      description: "Tighten the policy to Ed25519 and 90 days, add a stake scope, rotate the guardian",
    });
    const events = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs });
    expect(events.map((e) => e.eventName)).toEqual(["PolicyUpdated", "ScopeNamed", "GuardianUpdated", "GuardianUpdated"]);
    expect(await publicClient.readContract({ ...registry, functionName: "policy" })).toEqual(policy);
    expect(await publicClient.readContract({ ...registry, functionName: "scopeName", args: [4] })).toBe("stake");
    expect(await publicClient.readContract({ ...registry, functionName: "isGuardian", args: [newGuardian] })).toBe(true);
    expect(await publicClient.readContract({ ...registry, functionName: "isGuardian", args: [guardian] })).toBe(false);

    // The new policy binds registrations from now on.
    const p256 = registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, alg: "ecdsa-p256-sha256" });
    expect(await revertError(p256, allAbis)).toEqual({ errorName: "AlgorithmNotAllowed", args: [2] });
    const now = Number(await read.now());
    const tooLong = registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, notBefore: now, expiresAt: now + 91 * day });
    expect((await revertError(tooLong, allAbis)).errorName).toBe("LifetimeTooLong");
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, scopes: 0b10001 });

    // Only the new guardian can suspend now.
    const old = walletClient.writeContract({ ...registry, account: guardian, functionName: "suspend", args: [keyId, "x"] });
    expect(await revertError(old, allAbis)).toEqual({ errorName: "NotGuardian", args: [guardian] });
    await send(walletClient.writeContract({ ...registry, account: newGuardian, functionName: "suspend", args: [keyId, "x"] }));
    expect((await read.key(keyId)).state).toBe(KeyState.Suspended);
  });
});

describe("front-running protection (#proposer= suffix)", () => {
  it("without the suffix a watcher submits a copy first and cancels it, blocking the proposal", async () => {
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner });
    const calldatas = [revokeCall(keyId, "front-run demo")];
    const description = `Revoke ${keyId}: no suffix`;
    // Bob sees Alice's pending propose and sends the same arguments first: he is now its proposer.
    const copy = await propose(calldatas, description, bob);
    await send(clients.walletClient.writeContract({ ...governor, account: bob, functionName: "cancel", args: copy.args }));
    expect(await read.state(copy.proposalId)).toBe(ProposalState.Canceled);
    const original = clients.walletClient.writeContract({
      ...governor,
      account: alice,
      functionName: "propose",
      args: [[registry.address], [0n], calldatas, description],
    });
    expect((await revertError(original, allAbis)).errorName).toBe("GovernorUnexpectedProposalState");
  });

  it("with the suffix the governor refuses the copy from another account, and the proposer's own passes end to end", async () => {
    const { keyId } = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner });
    const calldatas = [revokeCall(keyId, "leaked")];
    const description = withProposerSuffix({ description: `Revoke ${keyId}: leaked`, proposer: alice });
    expect(description.endsWith(`\n\n#proposer=${alice}`)).toBe(true);
    const copy = clients.walletClient.writeContract({
      ...governor,
      account: bob,
      functionName: "propose",
      args: [[registry.address], [0n], calldatas, description],
    });
    expect(await revertError(copy, allAbis)).toEqual({ errorName: "GovernorRestrictedProposer", args: [bob] });
    // The id still hashes the exact description, suffix included: queue and execute find it.
    const { proposalId } = await passProposal({
      rpcUrl: node.rpcUrl,
      manifest: node.manifest,
      actions: [{ target: registry.address, data: calldatas[0]! }],
      description,
      proposer: alice,
    });
    const expectedId = await clients.publicClient.readContract({
      ...governor,
      functionName: "hashProposal",
      args: [[registry.address], [0n], calldatas, keccak256(stringToHex(description))],
    });
    expect(proposalId).toBe(expectedId);
    expect(await read.state(proposalId)).toBe(ProposalState.Executed);
    expect((await read.key(keyId)).state).toBe(KeyState.Revoked);
  });

  it("keeps a matching suffix, refuses one naming another account, and validates the proposer", () => {
    const once = withProposerSuffix({ description: "x", proposer: alice });
    expect(withProposerSuffix({ description: once, proposer: alice.toLowerCase() as Address })).toBe(once);
    expect(() => withProposerSuffix({ description: once, proposer: bob })).toThrow(ProposerSuffixMismatchError);
    expect(() => withProposerSuffix({ description: "x", proposer: "0x1234" as Address })).toThrow(InvalidProposerError);
  });
});
