import type { KeyObject } from "node:crypto";
import type { Address, Hex } from "viem";
import type { Algorithm } from "../keys/algorithms.ts";
import type { NonceStore } from "../nonces/types.ts";
import type { VerifierReason } from "./reasons.ts";

/** A key as a resolver knows it: what the verifier needs to judge a request. */
export type ResolvedKey = {
  /** Chain keys: the 0x-hex key id. Keys kept elsewhere (`staticKeyResolver`): any RFC 9421 keyid string. */
  keyId: string;
  alg: Algorithm;
  publicKey: KeyObject;
  owner?: Address | undefined;
  label?: string | undefined;
  version?: number | undefined;
  /** Scope names, e.g. ["read", "trade"]. */
  scopes: readonly string[];
  /** Unix seconds; absent = unbounded. Valid while notBefore <= now < expiresAt, as in the registry. */
  notBefore?: number | undefined;
  expiresAt?: number | undefined;
  state: "active" | "suspended" | "revoked";
  /**
   * Unix seconds at which a "suspended" key's suspension lapses (registry v2 bounds
   * guardians' suspensions); from then on the key is judged as active. Absent: the
   * suspension holds until lifted.
   */
  suspendedUntil?: number | undefined;
  /** Chain keys: the registration's proof of possession, checked once per key. */
  proofOfPossession: "valid" | "invalid" | "not-applicable";
  /**
   * Chain keys: why the registry's CURRENT policy no longer allows the key (its
   * algorithm, a scope bit, or a lifetime above maxLifetime), as keyStatus's
   * `NotAllowed`; undefined when it is allowed. The verifier refuses `key-not-allowed`.
   */
  notAllowed?: string | undefined;
};

export type ResolveResult =
  | { status: "found"; key: ResolvedKey }
  | { status: "unknown" }
  /** The resolver cannot vouch for its view of the keys (e.g. the chain is unreachable): fail closed. */
  | { status: "stale"; message: string };

export type KeyResolver = {
  resolve(keyId: string): ResolveResult | Promise<ResolveResult>;
  close?(): Promise<void>;
};

/** Header shapes `verify` accepts: WHATWG Headers, a record (Node's `req.headers`), or name/value pairs (Node's rawHeaders, paired). */
export type VerifyRequestHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | readonly (readonly [string, string])[];

/** A request as plain data. `url` is absolute: `https://api.example.com/v1/prices?pair=ETH-USD`. */
export type VerifyRequestInit = {
  method: string;
  url: string;
  headers: VerifyRequestHeaders;
  body?: string | Uint8Array | undefined;
};

export type VerifyRequest = Request | VerifyRequestInit;

/**
 * Replay policy of a route. "required": every signature carries a nonce that is
 * recorded and refused when seen again. "window-only": no nonce is needed or
 * recorded; a request is fresh while `created` is inside the window (as AWS
 * SigV4 and Stripe webhooks do), so a captured request can be repeated until the
 * window closes. Use it only for idempotent reads at rates where the nonce store
 * is the cost.
 */
export type NonceMode = "required" | "window-only";

export type VerifyOptions = {
  /** Scope names the route needs; the key must hold all of them. */
  requiredScopes?: readonly string[] | undefined;
  /** This route's replay policy. Default: the verifier's `nonce` option. */
  nonce?: NonceMode | undefined;
};

export type VerifySuccess = {
  ok: true;
  keyId: string;
  owner: Address | undefined;
  label: string | undefined;
  version: number | undefined;
  scopes: readonly string[];
  alg: Algorithm;
  /** When the key stops being valid (unix seconds), if it has an end: for expiry monitoring. */
  expiresAt?: number | undefined;
};

export type VerifyFailure = {
  ok: false;
  reason: VerifierReason;
  message: string;
  /**
   * The key the request named, when the resolver found it (the key's state,
   * window, Content-Digest, signature, scopes or nonce failed): for per-key
   * monitoring of e.g. a revoked key still in use. Absent for an unknown key id,
   * which the sender chooses freely.
   */
  keyId?: string | undefined;
};

export type VerifyResult = VerifySuccess | VerifyFailure;

export type CreateVerifierParameters = {
  /** Where keys come from: `chainKeyResolver({...})` or `staticKeyResolver({...})`. */
  keys: KeyResolver;
  /** Default: `memoryNonceStore()` (one process only; forgets on restart). */
  nonces?: NonceStore | undefined;
  /** Oldest `created` accepted, in seconds (1..300). Default 60. */
  maxAgeSeconds?: number | undefined;
  /** Tolerated clock difference with the signer, in seconds (0..60). Default 5. */
  clockSkewSeconds?: number | undefined;
  /** Default true. When false a signature without `nonce` is accepted (and can be replayed inside the window). */
  requireNonce?: boolean | undefined;
  /**
   * Components every signature must cover. Default `profileComponents`:
   * "@method", "@authority", "@path", "@query" (only when the URL has a query)
   * and "content-digest" (only when the request has a body).
   */
  requiredComponents?: readonly string[] | undefined;
  /** Largest body read from a WHATWG `Request`, in bytes (more is `malformed`). Default 1 MiB, as the adapters. */
  maxBodyBytes?: number | undefined;
  /** Default replay policy of every route (see `NonceMode`). Default "required". */
  nonce?: NonceMode | undefined;
  /** Verify signatures on libuv's thread pool (node:crypto with a callback). Default true. */
  threadPool?: boolean | undefined;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * Clock for key validity windows (notBefore <= t < expiresAt), ms since the epoch.
   * Default `now`. A dev chain moved ahead by time travel needs the chain's clock here
   * (`createChainClock`), while signature freshness stays on `now`, the signer's clock.
   */
  keyClock?: (() => number) | undefined;
};

export type Verifier = {
  /** Judges one request. Never throws for a bad request; a rejection is `{ ok: false, reason, message }`. */
  verify(request: VerifyRequest, options?: VerifyOptions): Promise<VerifyResult>;
  /** Closes the key resolver and the nonce store. */
  close(): Promise<void>;
};
