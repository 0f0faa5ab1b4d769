import type { KeyObject } from "node:crypto";
import { type Address, type Hex, isAddress } from "viem";
import { type Algorithm, computeKeyId, isAlgorithm, type Jwk, publicKeyToRaw } from "../keys/index.ts";
import { parseKeyId } from "../profile/profile.ts";
import { InvalidVerifierOptionError } from "./errors.ts";
import { publicKeyObject } from "./publicKeyObject.ts";
import type { KeyResolver, ResolvedKey, ResolveResult } from "./types.ts";

export type StaticKey = {
  alg: Algorithm;
  /** Raw bytes, JWK, PEM (SPKI) or a public KeyObject. */
  publicKey: Uint8Array | Jwk | string | KeyObject;
  /** Scope names. Default none. */
  scopes?: readonly string[] | undefined;
  owner?: Address | undefined;
  label?: string | undefined;
  version?: number | undefined;
  /** Unix seconds. */
  notBefore?: number | undefined;
  expiresAt?: number | undefined;
  /** Default "active". */
  state?: ResolvedKey["state"] | undefined;
};

export type StaticKeyResolverParameters = Readonly<Record<string, StaticKey>>;

/**
 * A resolver over a fixed set of keys, for tests and for keys kept outside the
 * registry. Each key id must be keccak256 of the raw public key, as on chain, so
 * a key id can never name a different key. KeyObjects are built once, here.
 */
export function staticKeyResolver(keys: StaticKeyResolverParameters): KeyResolver {
  if (!keys || typeof keys !== "object") throw new InvalidVerifierOptionError("staticKeyResolver needs an object of keys by key id.");
  const results = new Map<string, ResolveResult>();
  for (const [id, entry] of Object.entries(keys)) {
    const keyId = parseKeyId(id);
    if (!keyId) throw new InvalidVerifierOptionError(`Invalid key id "${id}": expected 0x followed by 64 hex digits.`);
    if (results.has(keyId)) throw new InvalidVerifierOptionError(`Key id ${keyId} is listed twice.`);
    results.set(keyId, Object.freeze({ status: "found", key: toResolvedKey(keyId, entry) }));
  }
  const unknown: ResolveResult = Object.freeze({ status: "unknown" });
  return {
    resolve(keyId: Hex): ResolveResult {
      return results.get(keyId) ?? results.get(String(keyId).toLowerCase()) ?? unknown;
    },
  };
}

function toResolvedKey(keyId: Hex, entry: StaticKey): ResolvedKey {
  const problem = (what: string) => new InvalidVerifierOptionError(`Invalid static key ${keyId}: ${what}.`);
  if (!entry || typeof entry !== "object") throw problem("expected an object");
  if (!isAlgorithm(entry.alg)) throw problem(`unsupported alg "${String(entry.alg)}"`);
  const publicKey = publicKeyObject({ alg: entry.alg, publicKey: entry.publicKey });
  const jwk = publicKey.export({ format: "jwk" }) as Jwk;
  const computed = computeKeyId({ publicKey: publicKeyToRaw({ publicKey: jwk }).raw });
  if (computed !== keyId) throw problem(`the key id does not match the public key (keccak256 of it is ${computed})`);
  const scopes = entry.scopes ?? [];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) throw problem("scopes must be an array of names");
  if (entry.owner !== undefined && !isAddress(entry.owner, { strict: false })) throw problem("owner must be an address");
  if (entry.label !== undefined && typeof entry.label !== "string") throw problem("label must be a string");
  if (entry.version !== undefined && !Number.isSafeInteger(entry.version)) throw problem("version must be an integer");
  for (const field of ["notBefore", "expiresAt"] as const) {
    if (entry[field] !== undefined && !Number.isFinite(entry[field])) throw problem(`${field} must be unix seconds`);
  }
  const state = entry.state ?? "active";
  if (state !== "active" && state !== "suspended" && state !== "revoked") throw problem(`unknown state "${String(state)}"`);
  return Object.freeze({
    keyId,
    alg: entry.alg,
    publicKey,
    owner: entry.owner,
    label: entry.label,
    version: entry.version,
    scopes: Object.freeze([...scopes]),
    notBefore: entry.notBefore,
    expiresAt: entry.expiresAt,
    state,
    proofOfPossession: "not-applicable",
  });
}
