// The DAO's sanctions through the CLI, on a real local node: lineage and owner revocations,
// extending a guardian's suspension, and how `status` shows a suspension and its lapse.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindKeyId, generateKey, type KeyFile } from "../../src/keys/index.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { runCli } from "./runCli.ts";

const devKey = (index: number): Hex =>
  toHex(mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index }).getHdKey().privateKey!);

let node: LocalNode;
let dir: string;
let env: Record<string, string>;

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const result = await runCli(args, { env: { ...env, ...extraEnv } });
  return { ...result, json: () => JSON.parse(result.stdout) };
}

/** A key file bound to dev account `owner`, registered unless `register` is false. */
async function ownedKey(label: string, owner: number, register = true): Promise<{ path: string; key: KeyFile }> {
  const raw = await generateKey({ alg: "ed25519", label });
  const path = join(dir, `${label}-${raw.keyId.slice(2, 10)}.key.json`);
  writeFileSync(path, JSON.stringify(raw), { mode: 0o600 });
  if (register) {
    const r = await cli(["register", "--key", path, "--scopes", "read", "--expires-in", "7d"], { KEYLEDGER_PRIVATE_KEY: devKey(owner) });
    expect(r.stderr).toBe("");
  }
  return { path, key: bindKeyId({ key: raw, owner: devAccounts[owner]! }) };
}

/** Votes for with accounts 0..2, waits out voting, queues, waits out the timelock, executes each. */
async function passAndExecute(proposalIds: string[]) {
  await increaseTime(node.rpcUrl, 2);
  for (const id of proposalIds) {
    for (const voter of ["0", "1", "2"]) expect((await cli(["proposal", "vote", id, "--support", "for", "--dev-account", voter])).code).toBe(0);
  }
  await increaseTime(node.rpcUrl, 301);
  for (const id of proposalIds) expect((await cli(["proposal", "queue", id, "--dev-account", "0"])).code).toBe(0);
  await increaseTime(node.rpcUrl, 61);
  const executed = [];
  for (const id of proposalIds) {
    const r = await cli(["proposal", "execute", id, "--dev-account", "0", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    executed.push(r.json());
  }
  return executed;
}

beforeAll(async () => {
  node = await startLocalNode();
  dir = mkdtempSync(join(tmpdir(), "keyledger-sanctions-"));
  env = { KEYLEDGER_RPC_URL: node.rpcUrl, KEYLEDGER_MANIFEST: node.manifestPath };
});

afterAll(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("propose-revoke: bad input is refused before anything is sent", () => {
  it("unknown key, already revoked, invalid owner address, conflicting flags", async () => {
    const unknown = `0x${"ab".repeat(32)}`;
    const u = await cli(["propose-revoke", unknown, "--reason", "x", "--dev-account", "0", "--json"]);
    expect(u.code).toBe(1);
    expect(JSON.parse(u.stderr)).toMatchObject({ error: "KeyNotFound", message: `Key ${unknown} is not registered on this chain.` });

    const { key } = await ownedKey("gone", 3);
    expect((await cli(["revoke", key.keyId, "--reason", "done"], { KEYLEDGER_PRIVATE_KEY: devKey(3) })).code).toBe(0);
    const again = await cli(["propose-revoke", key.keyId, "--reason", "x", "--dev-account", "0"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Key ${key.keyId} is already revoked.`);
    const lineage = await cli(["propose-revoke", key.keyId, "--lineage", "--reason", "x", "--dev-account", "0"]);
    expect(lineage.code).toBe(1);
    expect(lineage.stderr).toContain("and every later version of its lineage are already revoked");

    const bad = await cli(["propose-revoke", "--owner", "0x1234", "--reason", "x", "--dev-account", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--owner "0x1234" is not an address');
    // A key id where an address belongs: the hint names the owner inside it.
    const keyIdAsOwner = await cli(["propose-revoke", "--owner", key.keyId, "--reason", "x", "--dev-account", "0"]);
    expect(keyIdAsOwner.code).toBe(2);
    expect(keyIdAsOwner.stderr).toContain(`That is a key id: its owner is ${devAccounts[3]}`);
    expect((await cli(["propose-revoke", key.keyId, "--owner", devAccounts[3]!, "--reason", "x", "--dev-account", "0"])).stderr).toContain("not both");
    expect((await cli(["propose-revoke", "--owner", devAccounts[3]!, "--lineage", "--reason", "x", "--dev-account", "0"])).code).toBe(2);
    expect((await cli(["propose-revoke", "--owner", devAccounts[3]!, "--dev-account", "0"])).stderr).toContain("--reason is required");
  });

  it("documents the three kinds in --help", async () => {
    const help = await cli(["propose-revoke", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("propose-revoke <keyId> --reason <text> [--lineage]");
    expect(help.stdout).toContain("propose-revoke --owner <address> --reason <text>");
    expect(help.stdout).toContain("governanceRevokeLineage");
    expect(help.stdout).toContain("Cannot be undone.");
    const ext = await cli(["propose-extend-suspension", "--help"]);
    expect(ext.stdout).toContain("--until <time|duration>");
    expect((await cli(["--help"])).stdout).toContain("propose-extend-suspension");
  });
});

describe("DAO sanctions, proposed -> voted -> queued -> executed", () => {
  it("a lineage revoke catches the version the owner rotated to after the proposal; an owner revoke ends every key of theirs; a suspension is extended", async () => {
    const wallet6 = { KEYLEDGER_PRIVATE_KEY: devKey(6) };
    const v1 = await ownedKey("evasive", 6);
    const v2 = await ownedKey("evasive", 6, false);

    const lineage = await cli(["propose-revoke", v1.key.keyId, "--lineage", "--reason", "rotates to dodge the DAO", "--dev-account", "0", "--json"]);
    expect(lineage.stderr).toBe("");
    expect(lineage.code).toBe(0);
    expect(lineage.json()).toMatchObject({
      action: "governanceRevokeLineage",
      keyId: v1.key.keyId,
      lineageNow: [v1.key.keyId],
      description: `Revoke key ${v1.key.keyId} and its later versions: rotates to dodge the DAO\n\n#proposer=${devAccounts[0]}`,
    });

    // The owner rotates while the proposal waits: v2 did not exist when it was made.
    const rotated = await cli(["rotate", v1.key.keyId, "--key", v2.path, "--overlap", "1h", "--json"], wallet6);
    expect(rotated.code).toBe(0);
    expect(rotated.json().keyId).toBe(v2.key.keyId);

    // Owner 7: two keys, and the whole owner revoked.
    const [o1, o2] = [await ownedKey("spam-a", 7), await ownedKey("spam-b", 7)];
    const owner = await cli(["propose-revoke", "--owner", devAccounts[7]!.toLowerCase(), "--reason", "botnet operator", "--dev-account", "0", "--json"]);
    expect(owner.code).toBe(0);
    expect(owner.json()).toMatchObject({ action: "governanceRevokeOwner", owner: devAccounts[7], description: `Revoke owner ${devAccounts[7]} (every key, final): botnet operator\n\n#proposer=${devAccounts[0]}` });

    // Owner 8: a key a guardian suspended, kept suspended longer.
    const suspect = await ownedKey("suspect", 8);
    expect((await cli(["suspend", suspect.key.keyId, "--reason", "seen on pastebin", "--dev-account", "9"])).code).toBe(0);
    const suspended = (await cli(["status", suspect.key.keyId, "--json"])).json();
    expect(suspended).toMatchObject({ valid: false, reason: "suspended", state: "suspended", suspension: "in force" });
    const end = suspended.suspendedUntil as number;
    expect(end - suspended.chainTime).toBeGreaterThan(86_000); // local policy: one day
    const human = await cli(["status", suspect.key.keyId]);
    expect(human.stdout).toMatch(/suspended {2}until .* \(lapses in (1d|23h\d+m\d+s) unless the DAO extends it or revokes the key\)/);

    const notLater = await cli(["propose-extend-suspension", suspect.key.keyId, "--until", String(end), "--dev-account", "0"]);
    expect(notLater.code).toBe(2);
    expect(notLater.stderr).toContain("is not later than the suspension's current end");
    const active = await cli(["propose-extend-suspension", o1.key.keyId, "--until", "14d", "--dev-account", "0"]);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain("is not suspended: it is active");
    const unknown = await cli(["propose-extend-suspension", `0x${"cd".repeat(32)}`, "--until", "14d", "--dev-account", "0"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("is not registered on this chain");
    expect((await cli(["propose-extend-suspension", suspect.key.keyId, "--dev-account", "0"])).stderr).toContain("--until is required");

    const extend = await cli(["propose-extend-suspension", suspect.key.keyId, "--until", "3d", "--dev-account", "0", "--json"]);
    expect(extend.stderr).toBe("");
    expect(extend.code).toBe(0);
    const newEnd = extend.json().until as number;
    expect(extend.json()).toMatchObject({ action: "extendSuspension", suspendedUntil: end });
    expect(newEnd - end).toBeGreaterThan(2 * 86_000);

    // `proposal show` says in words what each does.
    const shown = await cli(["proposal", "show", lineage.json().proposalId]);
    expect(shown.stdout).toContain(`action      Revoke key ${v1.key.keyId} and every later version of its lineage, as the lineage stands at execution`);
    expect(shown.stdout).toContain(`KeyRegistry.governanceRevokeLineage("${v1.key.keyId}", "rotates to dodge the DAO")`);
    const shownOwner = (await cli(["proposal", "show", owner.json().proposalId, "--json"])).json();
    expect(shownOwner.actionsInWords[0]).toContain(`Revoke owner ${devAccounts[7]}: every key of theirs, finally, and refuse their new keys`);
    const shownExtend = (await cli(["proposal", "show", extend.json().proposalId, "--json"])).json();
    expect(shownExtend.actionsInWords).toEqual([`Extend the suspension of key ${suspect.key.keyId} until ${new Date(newEnd * 1000).toISOString().replace(".000Z", "Z")} (${newEnd})`]);

    const [lineageRun, ownerRun, extendRun] = await passAndExecute([lineage.json().proposalId, owner.json().proposalId, extend.json().proposalId]);
    // The lineage revoke reached v2, which did not exist when it was proposed.
    expect(lineageRun.effects.map((e: { event: string; args: { keyId: Hex } }) => [e.event, e.args.keyId])).toEqual([
      ["KeyRevoked", v1.key.keyId],
      ["KeyRevoked", v2.key.keyId],
    ]);
    expect(lineageRun.actions[0]).toContain("and every later version of its lineage");
    for (const id of [v1.key.keyId, v2.key.keyId]) expect((await cli(["status", id, "--json"])).json()).toMatchObject({ valid: false, reason: "revoked", state: "revoked" });

    expect(ownerRun.effects).toEqual([expect.objectContaining({ event: "OwnerRevoked", args: expect.objectContaining({ owner: devAccounts[7], reason: "botnet operator" }) })]);
    for (const k of [o1, o2]) expect((await cli(["status", k.key.keyId, "--json"])).json()).toMatchObject({ valid: false, reason: "owner-revoked", state: "revoked" });
    const ownerAgain = await cli(["propose-revoke", "--owner", devAccounts[7]!, "--reason", "x", "--dev-account", "0"]);
    expect(ownerAgain.code).toBe(1);
    expect(ownerAgain.stderr).toContain(`Owner ${devAccounts[7]} is already revoked`);
    const keyOfRevokedOwner = await cli(["propose-revoke", o1.key.keyId, "--reason", "x", "--dev-account", "0"]);
    expect(keyOfRevokedOwner.code).toBe(1);
    expect(keyOfRevokedOwner.stderr).toContain(`governance revoked its owner ${devAccounts[7]}`);

    expect(extendRun.effects).toEqual([{ event: "SuspensionExtended", blockNumber: expect.any(Number), transactionHash: expect.any(String), logIndex: expect.any(Number), args: { keyId: suspect.key.keyId, until: newEnd } }]);
    expect((await cli(["status", suspect.key.keyId, "--json"])).json()).toMatchObject({ state: "suspended", suspendedUntil: newEnd });
  });
});

describe("status and a suspension that lapses", () => {
  it("reads active once its end passed, says when it lapsed, and cannot be extended any more", async () => {
    const { key } = await ownedKey("lapsing", 4);
    expect((await cli(["suspend", key.keyId, "--dev-account", "9"])).code).toBe(0);
    const end = (await cli(["status", key.keyId, "--json"])).json().suspendedUntil as number;
    await increaseTime(node.rpcUrl, 86_400 + 60);
    const after = await cli(["status", key.keyId, "--json"]);
    expect(after.code).toBe(0);
    expect(after.json()).toMatchObject({ valid: true, reason: "valid", state: "active", suspendedUntil: end, suspension: "lapsed" });
    const human = await cli(["status", key.keyId]);
    expect(human.stdout).toContain(`suspended  lapsed at ${new Date(end * 1000).toISOString().replace(".000Z", "Z")} (${end}) (1m`);
    expect(human.stdout).toContain("the key reads active again");
    const late = await cli(["propose-extend-suspension", key.keyId, "--until", "7d", "--dev-account", "0"]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("is not suspended: its suspension lapsed at");
  });
});
