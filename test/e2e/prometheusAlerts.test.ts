// The alert rules end to end, in a real Prometheus server: a local chain, the
// reference API (startApiServer), the rotation agent and signed fetches over key
// directories. The chain is moved a week ahead, the agent rotates the key on schedule,
// the client reading the agent's directory switches to version 2 at once while a
// second deployment with a stale copy keeps signing with version 1: Prometheus (the
// Debian server, scraping the API's /metrics every second and evaluating
// ops/prometheus/keyledger.rules.yml) fires KeyLedgerOldKeyVersionInUse. The stale
// deployment then receives the new file, its signed fetch switches without a restart,
// version 1 stops being used and the alert resolves. Finally version 1 is revoked and
// requests still signed with it fire KeyLedgerRevokedOrSuspendedKeyUsed.
// Skipped, with a printed reason, when the Prometheus server does not run here.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, type Hex, http } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateDueKeys } from "../../src/agent/index.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import type { KeyFile } from "../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { createSignedFetch, type SignedFetch } from "../../src/signer/index.ts";
import { keyDirectory, readKeyFile, writeKeyFile } from "../../src/signer/node.ts";
import { root } from "../cli/runCli.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { type PrometheusServer, prometheusSkipReason, startPrometheus } from "../helpers/prometheus.ts";
import { registerKey } from "../helpers/registerKey.ts";

if (prometheusSkipReason) console.warn(`Skipping the Prometheus alert e2e test: ${prometheusSkipReason}.`);

const day = 86_400;
const label = "alerts-e2e-bot";
const owner = devAccounts[5];
const oldVersionAlert = "KeyLedgerOldKeyVersionInUse";
const revokedAlert = "KeyLedgerRevokedOrSuspendedKeyUsed";

// The shipped rule waits `for: 5m` and looks back 900 s (15 min) for uses of the old
// version. The test loads a copy in which only those two numbers are shortened (the
// expression's structure is unchanged, and checked below against what Prometheus
// loaded); every other rule is loaded as shipped.
const testFor = "2s";
const testWindowSeconds = 5;
const shippedRules = readFileSync(join(root, "ops/prometheus/keyledger.rules.yml"), "utf8");

/** The shipped rules with KeyLedgerOldKeyVersionInUse's `for` and last-use window shortened; throws if the rule no longer reads as expected. */
function shortenedRules(text: string): string {
  const start = text.indexOf(`- alert: ${oldVersionAlert}\n`);
  const end = text.indexOf("- alert:", start + 1);
  if (start < 0 || end < 0) throw new Error(`${oldVersionAlert} not found in keyledger.rules.yml`);
  const rule = text.slice(start, end);
  const once = (s: string, from: string, to: string) => {
    if (s.split(from).length !== 2) throw new Error(`${oldVersionAlert}: expected exactly one "${from}" in the rule; update this test's copy`);
    return s.replace(from, to);
  };
  const short = once(once(rule, "< 900)", `< ${testWindowSeconds})`), "for: 5m\n", `for: ${testFor}\n`);
  return text.slice(0, start) + short + text.slice(end);
}

/** The shipped expression with the test's window: what Prometheus must have loaded. */
const expectedExpr = (() => {
  const match = /- alert: KeyLedgerOldKeyVersionInUse\n\s+expr: \|\n([\s\S]*?)\n\s+for:/.exec(shippedRules);
  if (!match) throw new Error(`${oldVersionAlert}'s expr not found`);
  return match[1]!.replace("< 900)", `< ${testWindowSeconds})`);
})();
const normalize = (expr: string) => expr.replace(/\s+/g, "");

let node: LocalNode;
let api: StartApiServerReturnType;
let prometheus: PrometheusServer;
const dirs: string[] = [];
/** Chain time minus wall time, ms: after time travel the chain (and every KeyLedger clock here) runs this far ahead. */
let chainOffsetMs = 0;
const chainNow = () => Date.now() + chainOffsetMs;

async function syncChainClock(): Promise<void> {
  const block = await createPublicClient({ transport: http(node.rpcUrl) }).getBlock({ blockTag: "latest" });
  chainOffsetMs = Math.max(chainOffsetMs, Number(block.timestamp) * 1000 - Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

const alertsNamed = async (name: string) => (await prometheus.alerts()).filter((a) => a.labels.alertname === name);

/** Waits until the rule group was evaluated after now (Prometheus's clock), so a check of the alerts reflects the samples seen so far. */
async function nextEvaluation(): Promise<void> {
  const since = Date.now();
  await until(
    "a rule evaluation",
    async () => (await prometheus.api<{ groups: { name: string; lastEvaluation: string }[] }>("rules")).groups.find((g) => g.name === "keyledger"),
    (group) => group !== undefined && Date.parse(group.lastEvaluation) > since + 50,
  );
}

type Sent = { keyId: string; status: number; error?: string | undefined };

/** A client that keeps calling GET /v1/prices through `signedFetch`, every `everyMs`, recording which key signed each request. */
function traffic(keys: () => readonly KeyFile[] | Promise<readonly KeyFile[]>, everyMs = 200) {
  const sent: Sent[] = [];
  const failures: unknown[] = [];
  const signedFetch: SignedFetch = createSignedFetch({
    keys,
    now: chainNow,
    fetch: async (request) => {
      const keyId = /keyid="([^"]+)"/.exec(request.headers.get("signature-input") ?? "")?.[1] ?? "";
      const response = await fetch(request);
      const body = (await response.clone().json()) as { error?: string };
      sent.push({ keyId, status: response.status, error: body.error });
      return response;
    },
  });
  let running = true;
  const loop = (async () => {
    while (running) {
      await signedFetch(`${api.url}/v1/prices`).catch((e) => failures.push(e));
      await sleep(everyMs);
    }
  })();
  return {
    sent,
    failures,
    /** Requests sent from now on. */
    mark: () => sent.length,
    async stop() {
      running = false;
      await loop;
    },
  };
}

beforeAll(async () => {
  if (prometheusSkipReason) return;
  node = await startLocalNode();
  await syncChainClock();
  // Signers and the verifier follow the chain's clock, as in chain-e2e: after a week of time
  // travel the machine's clock would see version 2 as not valid yet.
  api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, now: chainNow });
  // The alert compares the API's last-used stamps with Prometheus's time(), the machine's
  // clock. In production the chain's clock is the machine's; here the chain runs a week
  // ahead, so the test stamps last use with the machine's clock (the one difference from
  // what startApiServer wires: everything else, verification included, is as shipped).
  const verified = api.metrics.verified.bind(api.metrics);
  api.metrics.verified = (route, key) => verified(route, key, Date.now());
  prometheus = await startPrometheus({ targets: [new URL(api.url).host], rules: { "keyledger.rules.yml": shortenedRules(shippedRules) } });
});

afterAll(async () => {
  await prometheus?.stop();
  await api?.close();
  await node?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function keyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "keyledger-alerts-"));
  dirs.push(dir);
  return dir;
}

describe.skipIf(prometheusSkipReason)("alert rules in a real Prometheus (rotation agent on a local chain)", () => {
  /** The agent's directory: the up-to-date deployment signs from it. */
  let agentDir: string;
  /** A second deployment of the same client with a copy of version 1 only. */
  let staleDir: string;
  let v1: KeyFile;
  let v2: { keyId: Hex; file: string };
  let fresh: ReturnType<typeof traffic>;
  let stale: ReturnType<typeof traffic>;

  afterAll(async () => {
    await fresh?.stop();
    await stale?.stop();
  });

  it("loads the rules as shipped, except the old-version rule's for/window, and scrapes the API", async () => {
    const { groups } = await prometheus.api<{ groups: { rules: { name: string; query: string; duration: number }[] }[] }>("rules");
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual([oldVersionAlert, "KeyLedgerKeyExpiresSoon", "KeyLedgerBadSignatureBurst", "KeyLedgerKeyBadSignatureBurst", "KeyLedgerKeyReplayedNonceBurst", "KeyLedgerReplayedNonceBurst", revokedAlert, "KeyLedgerChainIndexStale"]);
    const old = rules[0]!;
    expect(normalize(old.query)).toBe(normalize(expectedExpr));
    expect(old.duration).toBe(2);
    const up = await until("the API target to be up", () => prometheus.query('up{job="keyledger-api"}'), (r) => r[0]?.value[1] === "1");
    expect(up).toHaveLength(1);
  });

  it("fires KeyLedgerOldKeyVersionInUse when a deployment keeps signing with version 1 after the agent rotated it", async () => {
    agentDir = keyDir();
    staleDir = keyDir();
    const registered = await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label });
    v1 = { ...registered.key, version: 1, notBefore: registered.notBefore, expiresAt: registered.expiresAt };
    writeKeyFile({ path: join(agentDir, `${label}.v1.key.json`), key: v1 });
    writeKeyFile({ path: join(staleDir, `${label}.v1.key.json`), key: v1 });
    await syncChainClock();

    fresh = traffic(keyDirectory({ path: agentDir }));
    stale = traffic(keyDirectory({ path: staleDir }));
    // Both deployments sign with version 1; Prometheus sees one version of the label: no alert.
    await until("version 1 in Prometheus", () => prometheus.query(`keyledger_api_key_version{label="${label}"}`), (r) => r.length === 1);
    await nextEvaluation();
    expect(await alertsNamed(oldVersionAlert)).toEqual([]);

    const agent = {
      directory: agentDir,
      publicClient: createPublicClient({ chain: hardhat, transport: http(node.rpcUrl) }),
      walletClient: createWalletClient({ account: owner, chain: hardhat, transport: http(node.rpcUrl), pollingInterval: 20 }),
      registry: node.manifest.contracts.KeyRegistry.address,
      schedule: { everySeconds: 7 * day },
      overlapSeconds: day,
    };
    expect(await rotateDueKeys(agent)).toEqual([{ action: "not-due", keyId: v1.keyId, version: 1, dueAt: registered.notBefore + 7 * day }]);

    // A week later on chain the agent rotates on schedule; the overlap keeps version 1 valid for a day.
    await increaseTime(node.rpcUrl, 7 * day + 60);
    const [rotated] = await rotateDueKeys(agent);
    if (rotated?.action !== "rotated") throw new Error(`expected a rotation, got ${JSON.stringify(rotated)}`);
    expect(rotated).toMatchObject({ oldKeyId: v1.keyId, version: 2, file: join(agentDir, `${label}.v2.key.json`) });
    v2 = { keyId: rotated.keyId, file: rotated.file };
    await syncChainClock();

    // The deployment reading the agent's directory switches without a restart; the stale one cannot.
    const freshFrom = fresh.mark();
    const staleFrom = stale.mark();
    await until("the fresh deployment to sign with version 2", async () => fresh.sent.slice(freshFrom), (s) => s.some((r) => r.keyId === v2.keyId && r.status === 200));

    const firing = await until(
      `${oldVersionAlert} to fire`,
      () => alertsNamed(oldVersionAlert),
      (a) => a.some((x) => x.state === "firing"),
    );
    const firedAt = Date.now();
    expect(firing).toEqual([
      expect.objectContaining({
        state: "firing",
        // job and instance come from the scrape (promtool's unit test has none).
        labels: { alertname: oldVersionAlert, severity: "warning", key_id: v1.keyId, label, job: "keyledger-api", instance: new URL(api.url).host },
        annotations: expect.objectContaining({ summary: `Key ${v1.keyId} (label ${label}, version 1) is still used after a newer version took over` }),
      }),
    ]);
    // It was pending for at least the rule's `for` before firing.
    expect(firedAt - Date.parse(firing[0]!.activeAt)).toBeGreaterThanOrEqual(2_000);
    // Version 1 was still accepted (inside its overlap) the whole time: a silent problem without the alert.
    const staleSent = stale.sent.slice(staleFrom);
    expect(staleSent.length).toBeGreaterThan(5);
    expect(staleSent.every((r) => r.keyId === v1.keyId && r.status === 200)).toBe(true);
    expect(fresh.failures).toEqual([]);
    expect(stale.failures).toEqual([]);
  });

  it("resolves once the stale deployment's signed fetch picks up version 2's file and version 1 is no longer used", async () => {
    // The operator copies the new key file over; the running signed fetch re-reads its directory.
    const staleFrom = stale.mark();
    writeKeyFile({ path: join(staleDir, `${label}.v2.key.json`), key: readKeyFile({ path: v2.file }) });
    await until("the stale deployment to sign with version 2", async () => stale.sent.slice(staleFrom), (s) => s.some((r) => r.keyId === v2.keyId));
    const switchedAt = Date.now();

    const resolved = await until(`${oldVersionAlert} to resolve`, () => alertsNamed(oldVersionAlert), (a) => a.length === 0, (testWindowSeconds + 10) * 1000);
    expect(resolved).toEqual([]);
    // Resolved by the last-use window, not sooner: the window had to pass since version 1's last request.
    expect(Date.now() - switchedAt).toBeGreaterThanOrEqual((testWindowSeconds - 2) * 1000);

    // Every request since the switch was signed with version 2 and accepted ...
    const after = stale.sent.slice(staleFrom).slice(1);
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((r) => r.keyId === v2.keyId && r.status === 200)).toBe(true);
    // ... while version 1's series are still exported: the alert cleared because its last use aged out.
    const [v1Version] = await prometheus.query(`keyledger_api_key_version{key_id="${v1.keyId}"}`);
    expect(v1Version?.value[1]).toBe("1");
    const lastUsed = await prometheus.query(`time() - keyledger_api_key_last_used_timestamp_seconds{key_id="${v1.keyId}"}`);
    expect(Number(lastUsed[0]?.value[1])).toBeGreaterThanOrEqual(testWindowSeconds);
    expect(stale.failures).toEqual([]);
  });

  it("fires KeyLedgerRevokedOrSuspendedKeyUsed when requests keep coming with version 1 after it was revoked", async () => {
    const publicClient = createPublicClient({ chain: hardhat, transport: http(node.rpcUrl) });
    const wallet = createWalletClient({ account: owner, chain: hardhat, transport: http(node.rpcUrl) });
    const hash = await wallet.writeContract({
      address: node.manifest.contracts.KeyRegistry.address,
      abi: keyRegistryAbi,
      functionName: "revoke",
      args: [v1.keyId, "leaked"],
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    await syncChainClock();
    // Before any request: one accepted while the index catches up would be a use of version 1 again.
    await until("the API's chain index to see the revocation", async () => api.resolver.resolve(v1.keyId), (r) => r.status === "found" && r.key.state === "revoked");
    expect(await alertsNamed(revokedAlert)).toEqual([]);

    // Someone holding the leaked version 1 keeps trying.
    const leaked = traffic(() => [v1], 300);
    try {
      const firing = await until(`${revokedAlert} to fire`, () => alertsNamed(revokedAlert), (a) => a.some((x) => x.state === "firing"));
      expect(firing).toEqual([
        expect.objectContaining({
          state: "firing",
          labels: { alertname: revokedAlert, severity: "warning", reason: "key-revoked" },
          annotations: expect.objectContaining({ summary: "Requests signed with a key-revoked key" }),
        }),
      ]);
      // Refused requests are not uses: the old-version alert stays resolved, and nothing
      // else fired (the week of time travel did not make the chain index look stale).
      expect((await prometheus.alerts()).map((a) => a.labels.alertname)).toEqual([revokedAlert]);
      expect(leaked.sent.length).toBeGreaterThan(1);
      expect(leaked.sent.every((r) => r.keyId === v1.keyId && r.status === 401 && r.error === "key-revoked")).toBe(true);
      expect(leaked.failures).toEqual([]);
    } finally {
      await leaked.stop();
    }
    // The up-to-date deployments were never disturbed.
    expect(fresh.sent.slice(-5).every((r) => r.keyId === v2.keyId && r.status === 200)).toBe(true);
  });
});
