import { parseDictionary, serializeParameters, serializeInnerList } from "structured-headers";
import { generateKey } from "../../src/keys/index.ts";
import { signedRequestPool } from "./signedRequestPool.ts";
const key = await generateKey({ alg: "ed25519", label: "b" });
const pool = await signedRequestPool({ key, kind: "get", count: 20000 });
const N = pool.length;
console.log(pool[0]!.headers["signature-input"], pool[0]!.headers.signature);
function bench(name: string, f: (i: number) => unknown) {
  for (let i = 0; i < 3000; i++) f(i);
  const cpu = process.cpuUsage();
  for (let i = 0; i < N; i++) f(i);
  const u = process.cpuUsage(cpu);
  console.log(name.padEnd(28), ((u.user + u.system) / N).toFixed(2), "µs cpu");
}
bench("parse signature-input", (i) => parseDictionary(pool[i]!.headers["signature-input"]!));
bench("parse signature", (i) => parseDictionary(pool[i]!.headers.signature!));
const sigRe = /^sig=:([A-Za-z0-9+/]+={0,2}):$/;
bench("regex+base64 signature", (i) => Buffer.from(sigRe.exec(pool[i]!.headers.signature!)![1]!, "base64"));
const parsed = pool.map((r) => parseDictionary(r.headers["signature-input"]!).get("sig") as any);
bench("serializeParameters", (i) => serializeParameters(parsed[i][1]));
bench("serializeInnerList", (i) => serializeInnerList(parsed[i]));
