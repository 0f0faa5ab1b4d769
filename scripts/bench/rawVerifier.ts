import { type KeyObject, verify } from "node:crypto";
import type { Algorithm } from "../../src/keys/index.ts";

export type RawVerifier = {
  /** node:crypto's synchronous verify. */
  sync(data: Buffer, signature: Buffer): boolean;
  /** node:crypto's verify with a callback: runs on libuv's thread pool. */
  async(data: Buffer, signature: Buffer): Promise<boolean>;
};

/**
 * The baseline: node:crypto `verify` with a cached KeyObject, nothing else.
 * ECDSA signatures in the profile are r||s (IEEE P1363) over SHA-256.
 */
export function rawVerifier({ alg, publicKey }: { alg: Algorithm; publicKey: KeyObject }): RawVerifier {
  const digest = alg === "ed25519" ? null : "sha256";
  const key = alg === "ed25519" ? publicKey : { key: publicKey, dsaEncoding: "ieee-p1363" as const };
  return {
    sync: (data, signature) => verify(digest, data, key, signature),
    async: (data, signature) =>
      new Promise((resolve) => verify(digest, data, key, signature, (error, valid) => resolve(!error && valid))),
  };
}
