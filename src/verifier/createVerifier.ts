import { hash, type KeyObject, verify as cryptoVerify } from "node:crypto";
import { type Dictionary, type InnerList, type Item, isInnerList, parseDictionary } from "structured-headers";
import type { Algorithm } from "../keys/algorithms.ts";
import { algorithms, isAlgorithm } from "../keys/algorithms.ts";
import { memoryNonceStore } from "../nonces/memoryNonceStore.ts";
import type { NonceResult } from "../nonces/types.ts";
import { isComponentName } from "../profile/components.ts";
import { type DigestAlgorithm, parseContentDigest } from "../profile/contentDigest.ts";
import { collectFields, type HttpMessage, parseRequestTarget } from "../profile/message.ts";
import { maxNonceLength, parseKeyId, profileComponents } from "../profile/profile.ts";
import { createSignatureBase } from "../profile/signatureBase.ts";
import { InvalidVerifierOptionError, InvalidVerifyInputError, VerifierDependencyError } from "./errors.ts";
import { dictionaryMember, soleByteSequenceMember } from "./dictionaryMember.ts";
import { ed25519KeyProblem } from "./publicKeyObject.ts";
import { type SignatureInputParse, signatureInputTemplates } from "./signatureInputTemplates.ts";
import type { VerifierReason } from "./reasons.ts";
import type {
  CreateVerifierParameters,
  NonceMode,
  ResolvedKey,
  ResolveResult,
  Verifier,
  VerifyFailure,
  VerifyOptions,
  VerifyRequest,
  VerifyResult,
} from "./types.ts";

const methodPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Longest Signature-Input, Signature or Content-Digest accepted: far above any honest request, bounds parse work. */
const maxSignatureFieldLength = 8192;
const nodeDigests: Record<DigestAlgorithm, string> = { "sha-256": "sha256", "sha-512": "sha512" };
const signatureLength = 64;
/** Longest absolute request URL accepted, as Node's default header limit. */
const maxUrlLength = 16 * 1024;
/** Longest keyid accepted (the nonce store bounds its tokens to the same). */
const maxKeyIdLength = 256;
/**
 * Most covered components per signature: the profile needs 5 and RFC 9421's
 * examples at most 8; a cap bounds the per-request work a sender can ask for
 * (field values, sf/key parses) before any signature check.
 */
const maxCoveredComponents = 32;
// `sha-256=:` + base64 of 32 bytes (44) + `:`, and the same for 64 bytes (88).
const canonicalDigestLength = { "sha-256": 9 + 44 + 1, "sha-512": 9 + 88 + 1 } as const;
const digestNames = ["sha-256", "sha-512"] as const;
const digestPrefixes = { "sha-256": "sha-256=:", "sha-512": "sha-512=:" } as const;
const noBody = new Uint8Array(0);
/** Signature-Input prefixes kept per verifier and kind: about one per active signer (and per signer and second). */
const maxSignatureInputTemplates = 1024;

type Coverage = { coversDigest: boolean; coversQuery: boolean };

type Candidate = {
  label: string;
  /** The Signature-Input member: covered components and signature parameters. */
  member: InnerList;
  signature: Uint8Array;
  /** A 0x-hex chain key id (lowercased) or, for other resolvers, any sf-string. */
  keyId: string;
  created: number;
  expires: number | undefined;
  nonce: string | undefined;
  alg: Algorithm | undefined;
  coversDigest: boolean;
  /** The Signature-Input field and its parse: remembered for the signer's next requests once the signature verifies. */
  input: string;
  inputParse: SignatureInputParse;
};

/**
 * Creates a verifier for the KeyLedger RFC 9421 profile.
 *
 * Checks run cheapest first, and nothing a sender can inflate (field values,
 * `;key=` / `@query-param` look-ups, the body's digest) is computed before the
 * key is known and usable:
 *  1. parse: request, Signature-Input / Signature, profile parameters, coverage
 *     (at most 32 components, none twice) (malformed, missing-signature,
 *     missing-nonce, unsupported-alg)
 *  2. freshness of created / expires (future-request, expired-request)
 *  3. key lookup (unknown-key, stale-chain-state)
 *  4. key: alg, state, window, current policy, proof of possession (unsupported-alg,
 *     key-revoked, key-suspended, key-not-yet-valid, key-expired, key-not-allowed,
 *     invalid-proof-of-possession)
 *  5. signature base and Content-Digest (malformed, digest-mismatch)
 *  6. the signature (bad-signature)
 *  7. scopes (insufficient-scope: only an authenticated caller learns them)
 *  8. nonce, recorded only now so a forged copy cannot burn it (replayed-nonce,
 *     nonce-store-unavailable)
 * Which keys exist is not hidden: the profile reports unknown-key, and key states
 * are public on chain anyway.
 *
 * Parse cost: structured-headers' parse of the part of Signature-Input that a
 * signer repeats is kept per verifier, after a signature verifies, so later
 * requests have only their own parameters parsed (signatureInputTemplates.ts);
 * of Signature, only the chosen member is parsed (dictionaryMember.ts). Both give
 * exactly what a full parse gives.
 *
 * Label choice: the first Signature-Input member (in field order) whose
 * parameters meet the profile is the one verified; no other is tried, so a request
 * carrying many signatures costs one verification. When none meets the profile the
 * first member's problem is reported.
 */
export function createVerifier(parameters: CreateVerifierParameters): Verifier {
  const options = validateOptions(parameters);
  const { keys, requireNonce, threadPool, now, keyClock } = options;
  const nonces = options.nonces ?? memoryNonceStore({ now });
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const skewMs = options.clockSkewSeconds * 1000;
  const always = options.requiredComponents.filter((c) => c !== "@query" && c !== "content-digest");
  const queryRequired = options.requiredComponents.includes("@query");
  const digestRequired = options.requiredComponents.includes("content-digest");
  const templates = signatureInputTemplates({ maxTemplates: maxSignatureInputTemplates });
  // Keyed by a template's components array, which nothing mutates; gone with the template.
  const checkedCoverage = new WeakMap<readonly Item[], Coverage>();

  async function verify(request: VerifyRequest, verifyOptions?: VerifyOptions): Promise<VerifyResult> {
    const nonceMode = verifyOptions?.nonce ?? options.nonce;
    if (!isNonceMode(nonceMode)) throw new InvalidVerifyInputError(`verify: nonce must be "required" or "window-only", got ${String(nonceMode)}.`);
    let method: unknown;
    let url: unknown;
    let headers: unknown;
    let body: Uint8Array = noBody;
    if (typeof Request !== "undefined" && request instanceof Request) {
      method = request.method;
      url = request.url;
      headers = request.headers;
      if (request.body !== null) {
        if (request.bodyUsed) throw new InvalidVerifyInputError("Cannot verify a Request whose body was already read.");
        const read = await readRequestBody(request, options.maxBodyBytes);
        if (!(read instanceof Uint8Array)) return read;
        body = read;
      }
    } else {
      if (!request || typeof request !== "object") return reject("malformed", "The request is not an object.");
      ({ method, url, headers } = request);
      const raw = (request as { body?: unknown }).body;
      if (typeof raw === "string") body = Buffer.from(raw, "utf8");
      else if (raw instanceof Uint8Array) body = raw;
      else if (raw !== undefined && raw !== null) return reject("malformed", "The request body must be a string or bytes.");
    }
    if (typeof method !== "string" || !methodPattern.test(method)) return reject("malformed", "The request method is not a token.");
    // Node's HTTP server refuses more than 16 KiB of request line and headers; a WHATWG Request has no such bound.
    if (typeof url === "string" && url.length > maxUrlLength) return reject("malformed", `The request URL is longer than ${maxUrlLength} characters.`);
    const target = parseRequestTarget(url as string);
    if (!target.ok) return reject("malformed", `Malformed request: ${target.error}.`);
    const fields = collectFields(headers as Headers);
    if (!fields.ok) return reject("malformed", `Malformed request: ${fields.error}.`);
    const { scheme, authority, path, query } = target.value;
    const message: HttpMessage = { method, scheme, authority, path, query, fields: fields.value };

    const selected = select(message, body.length > 0, nonceMode === "required" && requireNonce);
    if ("reason" in selected) return selected;
    const nowMs = now();
    const createdMs = selected.created * 1000;
    if (createdMs > nowMs + skewMs) return reject("future-request", "The signature was created in the future (beyond the allowed clock skew).");
    if (nowMs - createdMs > maxAgeMs + skewMs) return reject("expired-request", `The signature is older than ${options.maxAgeSeconds} s.`);
    let nonceExpiresMs = createdMs + maxAgeMs + skewMs;
    if (selected.expires !== undefined) {
      const expiresMs = selected.expires * 1000 + skewMs;
      if (nowMs > expiresMs) return reject("expired-request", "The signature's expires time has passed.");
      if (expiresMs < nonceExpiresMs) nonceExpiresMs = expiresMs;
    }

    let resolved: ResolveResult;
    try {
      const pending = keys.resolve(selected.keyId);
      resolved = isPromiseLike(pending) ? await pending : pending;
    } catch (cause) {
      throw new VerifierDependencyError("The key resolver failed.", { cause, details: (cause as Error)?.message });
    }
    if (resolved?.status !== "found") {
      if (resolved?.status === "unknown") return reject("unknown-key", `Key ${selected.keyId} is not known.`);
      if (resolved?.status === "stale") return reject("stale-chain-state", resolved.message || "The key index is stale.");
      throw new VerifierDependencyError("The key resolver returned an invalid result.", { details: JSON.stringify(resolved) });
    }
    const key = resolved.key;
    // Key windows (notBefore/expiresAt) are the registry's, so they may follow another clock (the chain's).
    const keyProblem = checkKey(key, selected.alg, keyClock === now ? nowMs : keyClock());
    if (keyProblem) return { ...keyProblem, keyId: key.keyId };
    if (key.alg === "ed25519") {
      // The bundled resolvers refuse such keys; a custom one might not. With a
      // small-order key a constant signature verifies every request.
      const problem = ed25519KeyProblem(key.publicKey);
      if (problem) throw new VerifierDependencyError(`The key resolver returned an unusable Ed25519 key for ${key.keyId} (${problem}).`);
    }

    // The base (field values, sf/key parses) and the body's digest are built only
    // for a key that exists and is usable: an unauthenticated sender cannot make
    // the verifier do more than parse Signature-Input and look up a key id.
    const template = selected.inputParse.template;
    const known = template?.identifiers === undefined ? undefined : { identifiers: template.identifiers, signatureParams: selected.inputParse.signatureParams };
    const built = createSignatureBase({ message, components: selected.member[0], parameters: selected.member[1], known });
    if (!built.ok) return rejectFor(key.keyId, "malformed", `Cannot build the signature base: ${built.error}.`);
    if (selected.coversDigest) {
      const digestProblem = checkDigest(message.fields.get("content-digest"), body);
      if (digestProblem) return rejectFor(key.keyId, "digest-mismatch", digestProblem);
    }

    if (selected.signature.length !== signatureLength) return rejectFor(key.keyId, "bad-signature", `A ${key.alg} signature is ${signatureLength} bytes.`);
    const data = Buffer.from(built.value.base, "latin1");
    const valid = threadPool
      ? await verifyOnPool(key.alg, data, key.publicKey, selected.signature)
      : verifyNow(key.alg, data, key.publicKey, selected.signature);
    if (!valid) return rejectFor(key.keyId, "bad-signature", `The signature does not verify with key ${key.keyId}.`);

    const requiredScopes = verifyOptions?.requiredScopes;
    if (requiredScopes) {
      for (const scope of requiredScopes) {
        if (!key.scopes.includes(scope)) return rejectFor(key.keyId, "insufficient-scope", `Key ${key.keyId} lacks scope "${scope}".`);
      }
    }

    // "window-only" routes accept a repeat inside the window: the nonce store is not consulted at all.
    if (selected.nonce !== undefined && nonceMode === "required") {
      let stored: NonceResult;
      try {
        const pending = nonces.checkAndStore(key.keyId, selected.nonce, nonceExpiresMs);
        stored = isPromiseLike(pending) ? await pending : pending;
      } catch (cause) {
        throw new VerifierDependencyError("The nonce store failed.", { cause, details: (cause as Error)?.message });
      }
      if (stored !== "stored") {
        if (stored === "replayed") return rejectFor(key.keyId, "replayed-nonce", "This nonce was already used with this key.");
        if (stored === "full" || stored === "unavailable") {
          return rejectFor(key.keyId, "nonce-store-unavailable", stored === "full" ? "The nonce store is full." : "The nonce store is unavailable.");
        }
        throw new VerifierDependencyError("The nonce store returned an invalid result.", { details: String(stored) });
      }
    }

    templates.remember(selected.input, selected.label, selected.member, built.value.signatureParams, selected.inputParse);
    return { ok: true, keyId: key.keyId, owner: key.owner, label: key.label, version: key.version, scopes: key.scopes, alg: key.alg, expiresAt: key.expiresAt };
  }

  function select(message: HttpMessage, hasBody: boolean, nonceNeeded: boolean): Candidate | VerifyFailure {
    const inputLines = message.fields.get("signature-input");
    const signatureLines = message.fields.get("signature");
    if (!inputLines && !signatureLines) return reject("missing-signature", "The request has no Signature-Input and Signature fields.");
    if (!inputLines || !signatureLines) return reject("missing-signature", `The request has no ${inputLines ? "Signature" : "Signature-Input"} field.`);
    const inputValue = fieldValue(inputLines);
    if (inputValue.length > maxSignatureFieldLength) return reject("malformed", `Signature-Input is longer than ${maxSignatureFieldLength} characters.`);
    // structured-headers reads `created=1767225600.0` as the number 1767225600, so only the text shows a decimal.
    if (inputValue.includes(".") && hasDecimalTimestamp(inputValue)) {
      return reject("malformed", "created and expires must be integers (RFC 9421 section 2.3), not decimals.");
    }
    let inputParse: SignatureInputParse;
    try {
      inputParse = templates.parse(inputValue);
    } catch {
      return reject("malformed", "Signature-Input is not a valid structured dictionary.");
    }
    const inputs = inputParse.dictionary;
    const signatureValue = fieldValue(signatureLines);
    // With one Signature-Input member, only its Signature member is parsed (the
    // usual field holds just that one); otherwise the whole dictionary, once.
    let signatures: Dictionary | undefined;
    if (inputs.size !== 1) {
      const parsed = parseSignatureField(signatureValue, "Signature");
      if ("reason" in parsed) return parsed;
      signatures = parsed;
    } else if (signatureValue.length > maxSignatureFieldLength) {
      return reject("malformed", `Signature is longer than ${maxSignatureFieldLength} characters.`);
    }
    const hasQuery = message.query!.length > 1;
    let first: VerifyFailure | undefined;
    for (const [label, member] of inputs) {
      let signatureMember: Item | InnerList | Uint8Array | undefined;
      if (signatures) signatureMember = signatures.get(label);
      else if (!(signatureMember = soleByteSequenceMember({ value: signatureValue, label }))) {
        try {
          signatureMember = dictionaryMember({ value: signatureValue, label });
        } catch {
          return reject("malformed", "Signature is not a valid structured dictionary.");
        }
      }
      const result = evaluate(label, member, signatureMember, hasQuery, hasBody, nonceNeeded, inputValue, inputParse);
      if (!("reason" in result)) return result;
      first ??= result;
    }
    return first ?? reject("missing-signature", "Signature-Input is empty.");
  }

  function evaluate(
    label: string,
    member: Item | InnerList,
    /** The Signature member, or its bytes when read by the shortcut. */
    signatureMember: Item | InnerList | Uint8Array | undefined,
    hasQuery: boolean,
    hasBody: boolean,
    nonceNeeded: boolean,
    input: string,
    inputParse: SignatureInputParse,
  ): Candidate | VerifyFailure {
    if (!isInnerList(member)) return reject("malformed", `Signature-Input member ${label} is not an inner list.`);
    if (!signatureMember) return reject("missing-signature", `No Signature member for label ${label}.`);
    let signature: Uint8Array;
    if (signatureMember instanceof Uint8Array) signature = signatureMember;
    else {
      const bytes = signatureMember[0];
      if (!(bytes instanceof ArrayBuffer)) return reject("malformed", `Signature member ${label} is not a byte sequence.`);
      signature = new Uint8Array(bytes);
    }
    const [components, parameters] = member;
    const keyIdParam = parameters.get("keyid");
    if (keyIdParam === undefined) return reject("malformed", `Signature ${label} has no keyid.`);
    // Chain key ids are 0x-hex (any case, compared lowercased); other resolvers may name keys with any sf-string.
    const keyId = parseKeyId(keyIdParam) ?? (isKeyIdString(keyIdParam) ? keyIdParam : undefined);
    if (keyId === undefined) return reject("malformed", `Signature ${label}: keyid must be a string of 1..${maxKeyIdLength} characters.`);
    const created = parameters.get("created");
    if (!isTimestamp(created)) return reject("malformed", `Signature ${label} needs an integer created parameter.`);
    const expires = parameters.get("expires");
    if (expires !== undefined && !isTimestamp(expires)) return reject("malformed", `Signature ${label}: expires must be an integer.`);
    const nonce = parameters.get("nonce");
    if (nonce === undefined) {
      if (nonceNeeded) return reject("missing-nonce", `Signature ${label} has no nonce parameter.`);
    } else if (typeof nonce !== "string" || nonce.length === 0 || nonce.length > maxNonceLength) {
      return reject("malformed", `Signature ${label}: nonce must be a string of 1..${maxNonceLength} characters.`);
    }
    const alg = parameters.get("alg");
    if (alg !== undefined && !isAlgorithm(alg)) {
      return reject("unsupported-alg", `Signature ${label}: alg is not one of the profile's (${algorithms.join(", ")}).`);
    }
    // A remembered prefix's components (the same array on every request of its signer) were checked when first seen.
    const template = inputParse.template;
    let coverage = template === undefined ? undefined : checkedCoverage.get(template.components);
    if (coverage === undefined) {
      const checked = checkCoverage(label, components);
      if ("reason" in checked) return checked;
      coverage = checked;
      if (template !== undefined) checkedCoverage.set(template.components, coverage);
    }
    if (queryRequired && hasQuery && !coverage.coversQuery) return reject("malformed", `Signature ${label} does not cover @query.`);
    if (digestRequired && hasBody && !coverage.coversDigest) return reject("malformed", `Signature ${label} does not cover content-digest.`);
    return {
      label,
      member,
      signature,
      keyId,
      created: created as number,
      expires: expires as number | undefined,
      nonce: nonce as string | undefined,
      alg: alg as Algorithm | undefined,
      coversDigest: coverage.coversDigest,
      input,
      inputParse,
    };
  }

  /** The checks of a member's covered components alone: at most 32, none twice, all supported, the always-required ones present. */
  function checkCoverage(label: string, components: readonly Item[]): Coverage | VerifyFailure {
    if (components.length > maxCoveredComponents) {
      return reject("malformed", `Signature ${label} covers more than ${maxCoveredComponents} components.`);
    }
    let coversDigest = false;
    let coversQuery = false;
    for (let i = 0; i < components.length; i++) {
      const component = components[i]!;
      for (let j = 0; j < i; j++) {
        if (sameComponent(components[j]!, component)) return reject("malformed", `Signature ${label} covers a component twice.`);
      }
      const name = component[0];
      if (typeof name !== "string" || !isComponentName(name)) return reject("malformed", `Signature ${label} covers an unsupported component.`);
      if (name === "content-digest") coversDigest = true;
      else if (name === "@query") coversQuery = true;
    }
    for (const name of always) {
      if (!covers(components, name)) return reject("malformed", `Signature ${label} does not cover ${name}.`);
    }
    return { coversDigest, coversQuery };
  }

  return {
    verify,
    async close() {
      await Promise.all([keys.close?.(), nonces.close?.()]);
    },
  };
}

/**
 * Whether a `created` or `expires` parameter outside quoted strings is written
 * as a decimal. Byte sequences hold only base64 (no ";") and tokens no ";" or
 * '"', so skipping strings is enough to see parameters only.
 */
function hasDecimalTimestamp(value: string): boolean {
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < length; i++) {
        const d = value.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x3b) {
      let j = i + 1;
      while (value.charCodeAt(j) === 0x20) j++;
      if (!value.startsWith("created=", j) && !value.startsWith("expires=", j)) continue;
      j += 8;
      if (value.charCodeAt(j) === 0x2d) j++;
      const digits = j;
      while (j < length && value.charCodeAt(j) >= 0x30 && value.charCodeAt(j) <= 0x39) j++;
      if (j > digits && value.charCodeAt(j) === 0x2e) return true;
    }
  }
  return false;
}

/** The body of a WHATWG Request, read from a clone up to `limit` bytes; a stream error is a rejection, not a throw. */
async function readRequestBody(request: Request, limit: number): Promise<Uint8Array | VerifyFailure> {
  const tooLarge = () => reject("malformed", `The request body exceeds ${limit} bytes.`);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return tooLarge();
  const reader = request.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        return tooLarge();
      }
      chunks.push(value);
    }
  } catch (cause) {
    return reject("malformed", `The request body could not be read (${(cause as Error)?.message ?? "stream error"}).`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function fieldValue(lines: readonly string[]): string {
  return lines.length === 1 ? lines[0]! : lines.join(", ");
}

function parseSignatureField(value: string, name: string): Dictionary | VerifyFailure {
  if (value.length > maxSignatureFieldLength) return reject("malformed", `${name} is longer than ${maxSignatureFieldLength} characters.`);
  try {
    return parseDictionary(value);
  } catch {
    return reject("malformed", `${name} is not a valid structured dictionary.`);
  }
}

function checkDigest(lines: readonly string[] | undefined, body: Uint8Array): string | undefined {
  if (!lines) return "The signature covers content-digest but the request has no Content-Digest field.";
  const value = fieldValue(lines);
  if (value.length > maxSignatureFieldLength) return `Content-Digest is longer than ${maxSignatureFieldLength} characters.`;
  // The usual field is exactly one canonical member; comparing with the expected
  // serialization then settles it without parsing. Anything else is parsed.
  for (const algorithm of digestNames) {
    if (value.length === canonicalDigestLength[algorithm] && value.startsWith(digestPrefixes[algorithm])) {
      if (value === `${digestPrefixes[algorithm]}${hash(nodeDigests[algorithm], body, "base64")}:`) return undefined;
    }
  }
  const parsed = parseContentDigest(value);
  if (!parsed.ok) return `${parsed.error}.`;
  for (const [algorithm, expected] of parsed.value) {
    const actual = hash(nodeDigests[algorithm], body, "buffer");
    if (!actual.equals(expected)) return `Content-Digest ${algorithm} does not match the body.`;
  }
  return undefined;
}

function checkKey(key: ResolvedKey, alg: Algorithm | undefined, nowMs: number): VerifyFailure | undefined {
  // The registered algorithm is the only one ever used; a different alg is refused, not tried.
  if (alg !== undefined && alg !== key.alg) return reject("unsupported-alg", `alg "${alg}" is not the key's algorithm (${key.alg}).`);
  if (key.state === "revoked") return reject("key-revoked", `Key ${key.keyId} is revoked.`);
  if (key.state === "suspended") {
    // A guardian's suspension is bounded (registry v2): once it lapses the key is active again.
    if (key.suspendedUntil === undefined || nowMs < key.suspendedUntil * 1000) return reject("key-suspended", `Key ${key.keyId} is suspended.`);
  } else if (key.state !== "active") return reject("key-revoked", `Key ${key.keyId} is not active.`);
  if (key.notBefore !== undefined && nowMs < key.notBefore * 1000) return reject("key-not-yet-valid", `Key ${key.keyId} is not valid yet.`);
  if (key.expiresAt !== undefined && nowMs >= key.expiresAt * 1000) return reject("key-expired", `Key ${key.keyId} has expired.`);
  if (key.notAllowed !== undefined) return reject("key-not-allowed", `Key ${key.keyId} is outside the registry's current policy: ${key.notAllowed}.`);
  if (key.proofOfPossession === "invalid") {
    return reject("invalid-proof-of-possession", `Key ${key.keyId} was registered with an invalid proof of possession.`);
  }
  return undefined;
}

function verifyNow(alg: Algorithm, data: Buffer, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return alg === "ed25519"
      ? cryptoVerify(null, data, key, signature)
      : cryptoVerify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

function verifyOnPool(alg: Algorithm, data: Buffer, key: KeyObject, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (error: Error | null, valid: boolean) => resolve(!error && valid === true);
    try {
      if (alg === "ed25519") cryptoVerify(null, data, key, signature, done);
      else cryptoVerify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature, done);
    } catch {
      resolve(false);
    }
  });
}

/** Same name and same parameters (in any order): the same component identifier, without serializing either. */
function sameComponent(a: Item, b: Item): boolean {
  if (a[0] !== b[0] || a[1].size !== b[1].size) return false;
  for (const [key, value] of a[1]) {
    const other = b[1].get(key);
    // Tokens and byte sequences are objects: never equal here; the signature base still refuses such a repeat.
    if (other !== value) return false;
  }
  return true;
}

function covers(components: readonly Item[], name: string): boolean {
  for (const component of components) if (component[0] === name) return true;
  return false;
}

function isKeyIdString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxKeyIdLength;
}

function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === "function";
}

function reject(reason: VerifierReason, message: string): VerifyFailure {
  return { ok: false, reason, message };
}

/** A rejection of a request whose key was found: monitoring may count it per key (key ids are public). */
function rejectFor(keyId: string, reason: VerifierReason, message: string): VerifyFailure {
  return { ok: false, reason, message, keyId };
}

type ValidatedOptions = Required<Omit<CreateVerifierParameters, "nonces" | "keyClock">> & Pick<CreateVerifierParameters, "nonces"> & { keyClock: () => number };

function validateOptions(parameters: CreateVerifierParameters): ValidatedOptions {
  const problem = (what: string, value?: unknown) =>
    new InvalidVerifierOptionError(`Invalid verifier option: ${what}.`, value === undefined ? {} : { details: `got ${String(value)}` });
  if (!parameters || typeof parameters !== "object") throw problem("createVerifier needs an options object");
  const {
    keys,
    nonces,
    maxAgeSeconds = 60,
    clockSkewSeconds = 5,
    requireNonce = true,
    requiredComponents = profileComponents,
    threadPool = true,
    maxBodyBytes = 1024 * 1024,
    nonce = "required",
    now = Date.now,
  } = parameters;
  const keyClock = parameters.keyClock ?? now;
  if (!keys || typeof keys.resolve !== "function") throw problem("keys must be a key resolver (chainKeyResolver or staticKeyResolver)");
  if (nonces !== undefined && (!nonces || typeof nonces.checkAndStore !== "function")) throw problem("nonces must be a nonce store");
  if (typeof maxAgeSeconds !== "number" || !(maxAgeSeconds >= 1 && maxAgeSeconds <= 300)) throw problem("maxAgeSeconds must be within 1..300", maxAgeSeconds);
  if (typeof clockSkewSeconds !== "number" || !(clockSkewSeconds >= 0 && clockSkewSeconds <= 60)) {
    throw problem("clockSkewSeconds must be within 0..60", clockSkewSeconds);
  }
  if (typeof requireNonce !== "boolean") throw problem("requireNonce must be a boolean", requireNonce);
  if (typeof threadPool !== "boolean") throw problem("threadPool must be a boolean", threadPool);
  if (typeof now !== "function") throw problem("now must be a function returning ms since the epoch");
  if (typeof keyClock !== "function") throw problem("keyClock must be a function returning ms since the epoch");
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw problem("maxBodyBytes must be a non-negative integer", maxBodyBytes);
  if (!isNonceMode(nonce)) throw problem('nonce must be "required" or "window-only"', nonce);
  if (!Array.isArray(requiredComponents)) throw problem("requiredComponents must be an array of component names");
  for (const name of requiredComponents) {
    if (typeof name !== "string" || !isComponentName(name)) throw problem(`"${String(name)}" is not a component name (lowercase field or known derived name)`);
  }
  return { keys, nonces, maxAgeSeconds, clockSkewSeconds, requireNonce, requiredComponents: [...requiredComponents], threadPool, maxBodyBytes, nonce, now, keyClock };
}

function isNonceMode(value: unknown): value is NonceMode {
  return value === "required" || value === "window-only";
}
