import type { KeyFile } from "../../src/keys/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import { type BenchRequest, type BenchRequestKind, benchRequest } from "./benchRequest.ts";

export type SignedRequestPoolParameters = {
  key: KeyFile;
  kind: BenchRequestKind;
  count: number;
  origin?: string | undefined;
};

/** Signatures in flight while building a pool: WebCrypto signs on libuv's pool, so both cores work. */
const batch = 128;

/**
 * `count` requests signed by the SDK (`signRequest`), each with its own random
 * nonce, so a verifier sees every nonce once. Signing happens before any
 * measurement: the benches time verification only.
 */
export async function signedRequestPool({ key, kind, count, origin }: SignedRequestPoolParameters): Promise<BenchRequest[]> {
  const template = benchRequest({ kind, origin });
  const pool: BenchRequest[] = [];
  while (pool.length < count) {
    const n = Math.min(batch, count - pool.length);
    const signed = await Promise.all(
      Array.from({ length: n }, () =>
        signRequest({ method: template.method, url: template.url, headers: { ...template.headers }, body: template.body }, { key }),
      ),
    );
    for (const request of signed) {
      pool.push({ ...template, headers: request.headers as Record<string, string> });
    }
  }
  return pool;
}
