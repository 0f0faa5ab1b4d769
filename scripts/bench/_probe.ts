import { hash } from "node:crypto";
import { parseDictionary } from "structured-headers";
import { generateKey } from "../../src/keys/index.ts";
import { collectFields, createSignatureBase, parseRequestTarget } from "../../src/profile/index.ts";
import { memoryNonceStore } from "../../src/nonces/memoryNonceStore.ts";
import { createVerifier, staticKeyResolver } from "../../src/verifier/index.ts";
import { signedRequestPool } from "./signedRequestPool.ts";
const key = await generateKey({ alg: "ed25519", label: "b" });
const pool = await signedRequestPool({ key, kind: (process.argv[2] ?? "get") as any, count: 20000 });
const N = pool.length;
function bench(name: string, f: (i: number) => unknown) {
  for (let i = 0; i < 2000; i++) f(i);
  const cpu = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < N; i++) f(i);
  const u = process.cpuUsage(cpu);
  console.log(name.padEnd(28), ((u.user + u.system) / N).toFixed(2), "µs cpu", ((performance.now() - t) * 1000 / N).toFixed(2), "µs wall");
}
bench("collectFields", (i) => collectFields(pool[i]!.headers));
bench("parseRequestTarget", (i) => parseRequestTarget(pool[i]!.url));
bench("parseDictionary x2", (i) => { parseDictionary(pool[i]!.headers["signature-input"]!); parseDictionary(pool[i]!.headers.signature!); });
const parsed = pool.map((r) => parseDictionary(r.headers["signature-input"]!).get("sig") as any);
const msgs = pool.map((r) => ({ method: r.method, ...(parseRequestTarget(r.url) as any).value, fields: (collectFields(r.headers) as any).value }));
bench("createSignatureBase", (i) => createSignatureBase({ message: msgs[i], components: parsed[i][0], parameters: parsed[i][1] }));
const body = Buffer.alloc(1024, 32);
bench("sha256 1KB base64", () => hash("sha256", body, "base64"));
const store = memoryNonceStore();
bench("nonce checkAndStore", (i) => store.checkAndStore(key.keyId, pool[i]!.headers["signature-input"]!.slice(-30) + i, Date.now() + 60000));
const keys = staticKeyResolver({ [key.keyId]: { alg: "ed25519", publicKey: key.publicKey, scopes: ["read", "trade"] } });
// full verify minus crypto: wrong-length signature path stops right before crypto
const v = createVerifier({ keys, threadPool: false, maxAgeSeconds: 300, nonces: memoryNonceStore() });
let t = performance.now(); const cpu = process.cpuUsage();
for (let i = 0; i < N; i++) await v.verify({ ...pool[i]!, body: pool[i]!.body ? Buffer.from(pool[i]!.body!) : undefined }, { requiredScopes: ["read"] });
const u = process.cpuUsage(cpu);
console.log("full verify".padEnd(28), ((u.user + u.system) / N).toFixed(2), "µs cpu", ((performance.now() - t) * 1000 / N).toFixed(2), "µs wall");
