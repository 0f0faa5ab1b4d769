// A verifier as its own process, for the restart tests in faults.test.ts: the
// reference server over one static key, with memory or Redis nonces. Configured by
// KEYLEDGER_TEST_VERIFIER (JSON); prints its URL once it listens.
import type { Jwk } from "../../src/keys/index.ts";
import { redisNonceStore } from "../../src/nonces/index.ts";
import { createApiServer } from "../../src/server/index.ts";
import { createVerifier, memoryNonceStore, type NonceStore, staticKeyResolver } from "../../src/verifier/index.ts";

type Config = { keyId: string; alg: "ed25519" | "ecdsa-p256-sha256" | "ecdsa-secp256k1-sha256"; publicKey: Jwk; redisUrl?: string | undefined; origin: string };

const config = JSON.parse(process.env.KEYLEDGER_TEST_VERIFIER ?? "{}") as Config;
let nonces: NonceStore;
if (config.redisUrl) {
  const store = redisNonceStore({ url: config.redisUrl });
  await store.ready();
  nonces = store;
} else nonces = memoryNonceStore();
const verifier = createVerifier({
  keys: staticKeyResolver({ [config.keyId]: { alg: config.alg, publicKey: config.publicKey, scopes: ["read", "trade"] } }),
  nonces,
});
const api = await createApiServer({ verifier, origin: config.origin });
process.stdout.write(`${api.url}\n`);
process.once("SIGTERM", () => {
  void api
    .close()
    .then(() => verifier.close())
    .finally(() => process.exit(0));
});
