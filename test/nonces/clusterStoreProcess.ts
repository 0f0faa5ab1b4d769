// A second verifier process, for test/nonces/redisCluster.test.ts: connects to the
// cluster through the seed node in argv[2], runs checkAndStore for every
// [keyId, nonce] pair in the JSON of argv[3] and prints the results as JSON.
import { redisNonceStore } from "../../src/nonces/redisNonceStore.ts";

const [seed, pairsJson] = process.argv.slice(2);
const pairs = JSON.parse(pairsJson!) as [string, string][];
const store = redisNonceStore({ cluster: [seed!], timeoutMs: 1_000 });
await store.ready();
const expiresAtMs = Date.now() + 60_000;
const results = await Promise.all(pairs.map(([keyId, nonce]) => store.checkAndStore(keyId, nonce, expiresAtMs)));
await store.close();
process.stdout.write(JSON.stringify(results));
