import type { KeyObject } from "node:crypto";
import { type Address, type Hex, isAddress } from "viem";
import { type Algorithm, computeKeyId, isAlgorithm, type Jwk, keyIdOwner, publicKeyToRaw } from "../keys/index.ts";
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

/** Longest key id, as the verifier accepts it. */
const maxKeyIdLength = 256;
/** An RFC 8941 sf-string's characters: printable ASCII. */
const keyIdText = /^[\x20-\x7e]+$/;

/**
 * A resolver over a fixed set of keys, for tests and for keys kept outside the
 * registry. A key id in the registry's form (0x and 64 hex digits) must be
 * keccak256 of the raw public key, as on chain, so such an id can never name a
 * different key than the chain would. Any other RFC 9421 `keyid` (an sf-string,
 * e.g. the RFC's "test-key-ed25519") names the key given for it. KeyObjects are
 * built once, here.
 */
export function staticKeyResolver(keys: StaticKeyResolverParameters): KeyResolver {
  if (!keys || typeof keys !== "object") throw new InvalidVerifierOptionError("staticKeyResolver needs an object of keys by key id.");
  const results = new Map<string, ResolveResult>();
  for (const [id, entry] of Object.entries(keys)) {
    const chainId = parseKeyId(id);
    if (!chainId && (id.length > maxKeyIdLength || !keyIdText.test(id))) {
      throw new InvalidVerifierOptionError(`Invalid key id "${id.slice(0, 80)}": expected 1..${maxKeyIdLength} printable ASCII characters.`);
    }
    const keyId = chainId ?? id;
    if (results.has(keyId)) throw new InvalidVerifierOptionError(`Key id ${keyId} is listed twice.`);
    results.set(keyId, Object.freeze({ status: "found", key: toResolvedKey(keyId, entry, chainId !== undefined) }));
  }
  const unknown: ResolveResult = Object.freeze({ status: "unknown" });
  return {
    resolve(keyId: string): ResolveResult {
      return results.get(keyId) ?? (parseKeyId(keyId) ? results.get(keyId.toLowerCase()) : undefined) ?? unknown;
    },
  };
}

function toResolvedKey(keyId: string, entry: StaticKey, chainForm: boolean): ResolvedKey {
  const problem = (what: string) => new InvalidVerifierOptionError(`Invalid static key ${keyId}: ${what}.`);
  if (!entry || typeof entry !== "object") throw problem("expected an object");
  if (!isAlgorithm(entry.alg)) throw problem(`unsupported alg "${String(entry.alg)}"`);
  const publicKey = publicKeyObject({ alg: entry.alg, publicKey: entry.publicKey });
  if (chainForm) {
    const jwk = publicKey.export({ format: "jwk" }) as Jwk;
    const raw = publicKeyToRaw({ publicKey: jwk }).raw;
    // A 0x id is either the owner-free keccak256 of the key or the registry id of the owner it names.
    const computed = computeKeyId({ publicKey: raw });
    if (computed !== keyId && computeKeyId({ publicKey: raw, owner: keyIdOwner(keyId as Hex) }) !== keyId) {
      throw problem(`the key id does not match the public key (keccak256 of it is ${computed}; a registry id is its owner's address followed by 12 bytes of keccak256(owner || key))`);
    }
  }
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
