// A key's alerts from the real reference API's /metrics: a Hardhat node with the contracts,
// the API verifying real signed requests (good, forged, replayed, with a revoked key, with an
// old version after a rotation, with a key near its end), two readings of /metrics as the page
// polls them, keyAlerts over them and the shared KeyAlerts component's text (rendered to
// markup: the stack's helpers need Node's URL, which jsdom replaces; ownerKeys.test.tsx
// checks the component in the DOM).
import { renderToStaticMarkup } from "react-dom/server";
import { type Address, bytesToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { algorithmToChain, bindKeyId, generateKey, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../../src/keys/index.ts";
import { startApiServer, type StartApiServerReturnType } from "../../../src/server/index.ts";
import { signRequest } from "../../../src/signer/index.ts";
import { localClients } from "../../../test/helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../../../test/helpers/localNode.ts";
import { registerKey } from "../../../test/helpers/registerKey.ts";
import { KeyAlerts } from "../components/KeyAlerts.tsx";
import { keyAlerts, type MetricsScrape } from "./keyAlerts.ts";
import { parsePrometheus } from "./parsePrometheus.ts";

let node: LocalNode;
let api: StartApiServerReturnType;
const owner = devAccounts[4];

beforeAll(async () => {
  node = await startLocalNode();
  api = await startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0 });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await node?.stop();
});

const wallNow = () => Math.floor(Date.now() / 1000);
// The API judges use and expiry by the wall clock, as Prometheus's time() does.
const register = async (label: string, expiresAt?: number) =>
  (await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner, label, notBefore: wallNow() - 60, expiresAt })).key;
const signed = (key: KeyFile) => signRequest(new Request(`${api.url}/v1/prices`), { key });
const get = async (key: KeyFile) => (await fetch(await signed(key))).status;
const scrape = async (): Promise<MetricsScrape> => ({ at: Date.now() / 1000, samples: parsePrometheus(await (await fetch(`${api.url}/metrics`)).text()) });

async function write(functionName: "rotate" | "revoke", args: readonly unknown[]) {
  const { publicClient, walletClient } = localClients(node.rpcUrl);
  const hash = await walletClient.writeContract({ account: owner, address: node.manifest.contracts.KeyRegistry.address, abi: keyRegistryAbi, functionName, args } as never);
  expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
}

async function rotate(old: KeyFile): Promise<KeyFile> {
  const key = await generateKey({ alg: "ed25519", label: old.label });
  const registry = node.manifest.contracts.KeyRegistry.address;
  const proof = await signProofOfPossession({ key, chainId: node.manifest.chainId, registry, owner: owner as Address });
  const newKey = { algorithm: algorithmToChain(key.alg), publicKey: bytesToHex(publicKeyToRaw({ publicKey: key.publicKey }).raw), scopes: 0b11, notBefore: wallNow() - 60, expiresAt: wallNow() + 30 * 86_400, proof };
  await write("rotate", [old.keyId, newKey, 3_600]);
  return bindKeyId({ key, owner });
}

/** Until the API's chain index has caught up with a change (it polls the chain). */
async function until(check: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("the API did not catch up");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("KeyAlerts from the reference API's metrics", () => {
  it("shows each alert an operator would get, per key, and none for a quiet key", async () => {
    const quiet = await register("quiet");
    const probed = await register("probed");
    const replayed = await register("replayed");
    const retired = await register("retired");
    const ending = await register("ending", wallNow() + 3 * 86_400);
    const v1 = await register("rotating");
    for (const key of [quiet, probed, replayed, retired, ending, v1]) expect(await get(key)).toBe(200);
    const v2 = await rotate(v1);
    await write("revoke", [retired.keyId, "retired"]);
    await until(async () => (await get(v2)) === 200);
    await until(async () => (await get(retired)) === 401);

    // The page's first reading: no counter can have an increase yet.
    const first = await scrape();
    expect(keyAlerts({ scrapes: [first] }).get(probed.keyId.toLowerCase())).toBeUndefined();

    // Forged: the right key id, a signature that does not verify (11: more than 10).
    for (let i = 0; i < 11; i++) {
      const request = await signed(probed);
      const headers = new Headers(request.headers);
      headers.set("signature", headers.get("signature")!.replace(/:(.)/, (_m, c: string) => `:${c === "A" ? "B" : "A"}`));
      expect((await fetch(`${api.url}/v1/prices`, { headers })).status).toBe(401);
    }
    // Replayed: one signed request sent five times (4 replays: more than 3).
    const once = await signed(replayed);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${api.url}/v1/prices`, { headers: once.headers })).status);
    expect(statuses).toEqual([200, 401, 401, 401, 401]);
    expect(await get(retired)).toBe(401);
    expect(await get(v1)).toBe(200);
    expect(await get(ending)).toBe(200);

    const alerts = keyAlerts({ scrapes: [first, await scrape()] });
    const kinds = (key: KeyFile) => (alerts.get(key.keyId.toLowerCase()) ?? []).map((a) => a.kind);
    expect(kinds(quiet)).toEqual([]);
    expect(kinds(v2)).toEqual([]);
    expect(kinds(probed)).toEqual(["bad-signature-burst"]);
    expect(kinds(replayed)).toEqual(["replayed-nonce-burst"]);
    expect(kinds(retired)).toEqual(["revoked-key-used"]);
    expect(kinds(v1)).toEqual(["old-version-in-use"]);
    expect(kinds(ending)).toEqual(["expires-soon"]);
    expect(alerts.get(probed.keyId.toLowerCase())![0]).toMatchObject({ count: 11, moreThan: 10, windowSeconds: 300 });

    const text = (key: KeyFile, name: string) => renderToStaticMarkup(<KeyAlerts alerts={alerts.get(key.keyId.toLowerCase())} name={name} />).replace(/<[^>]+>/g, "");
    const html = renderToStaticMarkup(<KeyAlerts alerts={alerts.get(probed.keyId.toLowerCase())} name="probed v1" />);
    expect(html).toContain('<ul class="key-alerts" aria-label="Alerts for probed v1"');
    expect(html).toContain('data-severity="warning"');
    expect(text(probed, "probed v1")).toMatch(/^Warning: Bad-signature burst\. 11 requests naming this key failed to verify: .* \(in the last \d+ s this page has watched; the alert is more than 10 in 5 min\)\.$/);
    expect(text(replayed, "replayed v1")).toMatch(/^Critical: Replayed nonces\. 4 replayed-nonce rejections/);
    expect(text(v1, "rotating v1")).toMatch(/^Warning: Old version still in use\. v1 signed a request .* although v2 of its label serves requests/);
    expect(text(ending, "ending v1")).toMatch(/^Warning: Expires soon while in use\. .* expires in (3 d|2 d 23 h)\. Rotate it/);
    expect(text(retired, "retired v1")).toMatch(/^Warning: Revoked key still used\. 1 request signed with this revoked key was refused/);
    expect(text(quiet, "quiet v1")).toBe("");
  });
});




describe("keyAlerts over readings (the rules' windows)", () => {
  const rejected = (keyId: string, reason: string, value: number) => ({ name: "keyledger_api_key_rejected_total", labels: { key_id: keyId, reason }, value });
  const gauge = (name: string, keyId: string, value: number, label = "bot") => ({ name, labels: { key_id: keyId, label }, value });
  const t = 1_800_000_000;

  it("a burst counts only readings inside its window; a restarted API counts from zero; ids over the cap are left out", () => {
    const at = (seconds: number, bad: number, other = 0) => ({ at: t + seconds, samples: [rejected("0xaa", "bad-signature", bad), rejected("other", "bad-signature", other)] });
    // 30 failures long ago, then 5 inside the window: no burst.
    expect(keyAlerts({ scrapes: [at(-400, 0), at(-200, 30), at(0, 35)] }).size).toBe(0);
    // Inside the window by 11 (the oldest reading in it is the baseline), "other" never.
    expect(keyAlerts({ scrapes: [at(-400, 0, 0), at(-200, 30, 0), at(0, 41, 500)] }).get("0xaa")).toEqual([
      { kind: "bad-signature-burst", severity: "warning", count: 11, moreThan: 10, windowSeconds: 300, observedSeconds: 200 },
    ]);
    // The counter went down (restart): its new value is the increase.
    expect(keyAlerts({ scrapes: [at(-60, 40), at(0, 12)] }).get("0xaa")?.[0]).toMatchObject({ count: 12 });
    // One reading: an increase is unknown, nothing is claimed.
    expect(keyAlerts({ scrapes: [at(0, 1_000)] }).size).toBe(0);
  });

  it("an old version only while used within 15 min; expiry only for the newest version used within 24 h", () => {
    const scrape = (v1LastUsed: number, v2LastUsed: number, v2Expires: number) => ({
      at: t,
      samples: [
        gauge("keyledger_api_key_version", "0xv1", 1),
        gauge("keyledger_api_key_version", "0xv2", 2),
        gauge("keyledger_api_key_last_used_timestamp_seconds", "0xv1", v1LastUsed),
        gauge("keyledger_api_key_last_used_timestamp_seconds", "0xv2", v2LastUsed),
        // v1's end is its overlap's: never "expires soon".
        gauge("keyledger_api_key_expires_timestamp_seconds", "0xv1", t + 3_600),
        gauge("keyledger_api_key_expires_timestamp_seconds", "0xv2", v2Expires),
      ],
    });
    expect([...keyAlerts({ scrapes: [scrape(t - 899, t - 10, t + 30 * 86_400)] })]).toEqual([["0xv1", [{ kind: "old-version-in-use", severity: "warning", version: 1, newestVersion: 2, lastUsed: t - 899 }]]]);
    expect(keyAlerts({ scrapes: [scrape(t - 900, t - 10, t + 30 * 86_400)] }).size).toBe(0);
    expect([...keyAlerts({ scrapes: [scrape(t - 3_600, t - 86_399, t + 7 * 86_400 - 1)] })]).toEqual([["0xv2", [{ kind: "expires-soon", severity: "warning", expiresAt: t + 7 * 86_400 - 1, lastUsed: t - 86_399 }]]]);
    expect(keyAlerts({ scrapes: [scrape(t - 3_600, t - 86_400, t + 86_400)] }).size).toBe(0);
    expect(keyAlerts({ scrapes: [scrape(t - 3_600, t - 10, t + 7 * 86_400)] }).size).toBe(0);
  });
});
