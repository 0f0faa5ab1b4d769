import { generateKey } from "../../src/keys/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { createVerifier, staticKeyResolver, type Verifier, type VerifyRequestInit } from "../../src/verifier/index.ts";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import { quantile } from "./stats.ts";
import type { BenchContext, BenchReport } from "./types.ts";

export type HostileCostSizes = { requestsPerRound: number; rounds: number };
export const hostileCostSizes: { full: HostileCostSizes; quick: HostileCostSizes } = {
  full: { requestsPerRound: 200, rounds: 15 },
  quick: { requestsPerRound: 50, rounds: 3 },
};

export type HostileCostParameters = BenchContext & { sizes?: HostileCostSizes | undefined };

/** A refused request may cost at most this much CPU before an unknown key is refused (issue 10). */
const boundUs = 1_000;

/**
 * CPU per request (process.cpuUsage, all threads) of the review's amplification
 * requests against the same verifier's honest Ed25519 request, in interleaved
 * rounds of one run. The attacker's requests name a key that does not exist, or
 * exceed the component cap, so they must be refused after a Signature-Input
 * parse and a key look-up, whatever the fields they point at weigh.
 */
export async function hostileCostBench({ quick, log, sizes = quick ? hostileCostSizes.quick : hostileCostSizes.full }: HostileCostParameters): Promise<BenchReport> {
  const key = await generateKey({ alg: "ed25519", label: "bench" });
  const now = Date.now();
  const verifier = createVerifier({
    keys: staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: ["read"] } }),
    threadPool: false,
    now: () => now,
  });
  const created = Math.floor(now / 1000);
  const unknown = `0x${"ab".repeat(32)}`;
  const forged = `sig=:${Buffer.alloc(64).toString("base64")}:`;
  const bigField = Array.from({ length: 14_000 }, (_, i) => `k${i}=${i}`).join(", ");
  const hugeQuery = Array.from({ length: 30_000 }, (_, i) => `p${i}=${i}`).join("&");
  // Just under the verifier's 16 KiB URL bound.
  const bigQuery = Array.from({ length: 1_400 }, (_, i) => `p${i}=${i}`).join("&");
  const hostile = (components: string[], { query = "", keyId = unknown } = {}): VerifyRequestInit => ({
    method: "GET",
    url: `https://api.example.com/v1/prices${query}`,
    headers: {
      priority: bigField,
      "signature-input": `sig=("@method" "@authority" "@path" ${components.join(" ")});keyid="${keyId}";created=${created};nonce="n1"`,
      signature: forged,
    },
  });
  const keyed = (n: number) => Array.from({ length: n }, (_, i) => `"priority";key="k${i * 37}"`);
  const params = (n: number) => ["\"@query\"", ...Array.from({ length: n - 1 }, (_, i) => `"@query-param";name="p${i * 53}"`)];
  const cases: { name: string; request: () => VerifyRequestInit; reason: string; knownKey?: true }[] = [
    { name: `366 ";key=" components over a ${format.int(bigField.length / 1024)} KB field`, request: () => hostile(keyed(366)), reason: "malformed" },
    { name: `29 ";key=" components (at the cap), unknown key`, request: () => hostile(keyed(29)), reason: "unknown-key" },
    { name: `298 "@query-param" over a ${format.int(hugeQuery.length / 1024)} KB query`, request: () => hostile(params(298), { query: `?${hugeQuery}` }), reason: "malformed" },
    { name: `298 "@query-param" over a ${format.int(bigQuery.length / 1024)} KB query`, request: () => hostile(params(298), { query: `?${bigQuery}` }), reason: "malformed" },
    { name: `29 "@query-param" (at the cap), unknown key`, request: () => hostile(params(29), { query: `?${bigQuery}` }), reason: "unknown-key" },
    { name: `29 ";key=" components, known key, forged signature`, request: () => hostile(keyed(29), { keyId: key.keyId }), reason: "malformed", knownKey: true },
    { name: `29 "@query-param", known key, forged signature`, request: () => hostile(params(29), { query: `?${bigQuery}`, keyId: key.keyId }), reason: "malformed", knownKey: true },
  ];
  for (const c of cases) {
    const verdict = await verifier.verify(c.request());
    if (verdict.ok || verdict.reason !== c.reason) throw new Error(`${c.name}: expected ${c.reason}, got ${verdict.ok ? "ok" : `${verdict.reason} (${verdict.message})`}`);
  }
  const honestPool = async (n: number) =>
    Promise.all(
      Array.from({ length: n }, () => signRequest({ method: "GET", url: "https://api.example.com/v1/prices?pair=ETH-USD", headers: {} }, { key, created }) as Promise<VerifyRequestInit>),
    );
  const perRequestUs = async (v: Verifier, requests: VerifyRequestInit[], reason?: string): Promise<number> => {
    const start = process.cpuUsage();
    for (const request of requests) {
      const verdict = await v.verify(request);
      if (reason === undefined ? !verdict.ok : verdict.ok) throw new Error("unexpected verdict during the bench");
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / requests.length;
  };
  const samples = new Map<string, number[]>([["honest", []], ...cases.map((c) => [c.name, []] as [string, number[]])]);
  for (let round = 0; round < sizes.rounds; round++) {
    samples.get("honest")!.push(await perRequestUs(verifier, await honestPool(sizes.requestsPerRound)));
    for (const c of cases) {
      const requests = Array.from({ length: sizes.requestsPerRound }, c.request);
      samples.get(c.name)!.push(await perRequestUs(verifier, requests, c.reason));
    }
    log(`hostile: round ${round + 1}/${sizes.rounds}`);
  }
  await verifier.close();
  const median = (name: string) => quantile(samples.get(name)!, 0.5);
  const honest = median("honest");
  const rows = [
    ["honest Ed25519 GET (accepted)", "ok", format.us(honest), "1.00x", ""],
    ...cases.map((c) => {
      const us = median(c.name);
      const bounded = c.knownKey ? undefined : us <= boundUs;
      return [c.name, c.reason, format.us(us), format.times(us / honest), format.check(bounded)];
    }),
  ];
  const refused = cases.filter((c) => !c.knownKey).map((c) => median(c.name));
  const worst = Math.max(...refused);
  return {
    name: "hostile",
    title: "7. Hostile input: CPU per refused amplification request vs an honest request",
    markdown: [
      markdownTable({ header: ["request", "verdict", "CPU per request", "vs honest", `≤ ${format.int(boundUs)} µs`], align: ["l", "l", "r", "r", "l"], rows }),
      "",
      `Median of ${sizes.rounds} interleaved rounds of ${sizes.requestsPerRound} requests each, \`createVerifier\` with \`threadPool: false\`, process CPU time (user + system). The honest request is the SDK's, with its Ed25519 check; the hostile ones are those of the security review (issue 10): the URL bound (16 KiB) and the component cap refuse the first three before any field is read, the others after one Signature-Input parse and a key look-up. The last two rows name an existing key (key ids are public), so the signature base is built: but a field over 8 KiB is refused before structured-field parsing and a query over 8 KiB before it is split for \`@query-param\` (a query this long cannot reach Node's HTTP server anyway: its header limit is 16 KB).`,
    ].join("\n"),
    summary: [
      {
        metric: "Hostile: worst CPU per refused amplification request (vs honest)",
        value: `${format.us(worst)} (${format.times(worst / honest)})`,
        target: `≤ ${format.int(boundUs)} µs`,
        ok: worst <= boundUs,
      },
    ],
  };
}
