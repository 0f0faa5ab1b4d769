import type { Hex } from "viem";
import type { Algorithm } from "./algorithms.ts";

/** A JSON Web Key (RFC 7517; OKP keys per RFC 8037). */
export type Jwk = {
  kty: "OKP" | "EC";
  crv: "Ed25519" | "P-256" | "secp256k1";
  x: string;
  y?: string | undefined;
  d?: string | undefined;
  [extra: string]: unknown;
};

/**
 * The KeyLedger key file: what `keyledger keygen` writes (mode 0600) and what
 * `signRequest` takes as `key`. `privateKey` is absent in a public-only copy.
 */
export type KeyFile = {
  keyId: Hex;
  alg: Algorithm;
  label: string;
  publicKey: Jwk;
  privateKey?: Jwk | undefined;
  /** Version in the key's lineage (1 for a first registration, +1 per rotation); `createSignedFetch` signs with the highest valid one. */
  version?: number | undefined;
  /** Unix seconds; the key is used only while notBefore <= now < expiresAt (absent = unbounded), as in the registry. */
  notBefore?: number | undefined;
  expiresAt?: number | undefined;
};
