import { type Dictionary, type Item, parseDictionary, serializeDictionary } from "structured-headers";
import { bytesToBase64Url, type KeyFile, signBytes } from "../keys/index.ts";
import { isComponentName } from "../profile/components.ts";
import { type DigestAlgorithm, digestAlgorithms, serializeContentDigest } from "../profile/contentDigest.ts";
import { collectFields, type MessageHeaders, parseRequestTarget } from "../profile/message.ts";
import { defaultSignatureLabel, maxNonceLength, profileComponents, requiredComponents } from "../profile/profile.ts";
import { createSignatureBase } from "../profile/signatureBase.ts";
import { SignRequestError } from "./errors.ts";

/** A request as plain data; `signRequest` returns the same shape with the signature fields added. */
export type SignableRequest = {
  method: string;
  url: string | URL;
  headers?: MessageHeaders | undefined;
  body?: string | Uint8Array | undefined;
};

export type SignRequestParameters = {
  /** A key file with its private key. */
  key: KeyFile;
  /**
   * Covered component names. Default: the profile's — @method, @authority, @path,
   * @query when the URL has a query, content-digest when there is a body.
   */
  components?: readonly string[] | undefined;
  /** Unix seconds. Default now. */
  created?: number | undefined;
  /** Unix seconds; omitted by default (the verifier's maxAge bounds the window). */
  expires?: number | undefined;
  /** Default 128 random bits, base64url. */
  nonce?: string | undefined;
  /** Signature label. Default "sig"; an existing member with this label is replaced. */
  label?: string | undefined;
  /** Content-Digest algorithm for a body. Default "sha-256". */
  digest?: DigestAlgorithm | undefined;
};

/** A Request for a Request; otherwise the same plain shape, now with headers. */
export type SignRequestReturnType<request extends Request | SignableRequest> = request extends Request
  ? Request
  : Omit<request, "headers"> & { headers: MessageHeaders };

const labelPattern = /^[a-z*][a-z0-9_.*-]*$/;
const noncePattern = /^[\x21-\x7e]+$/;

/**
 * Signs a request with the KeyLedger profile of RFC 9421 and returns it with
 * `Signature-Input`, `Signature` and (when it has a body) `Content-Digest`. A
 * WHATWG Request gives a new Request; a plain `{ method, url, headers, body }`
 * gives the same shape back, headers in the form they came in.
 *
 * Works in Node and browsers (WebCrypto; secp256k1 via noble). The URL is signed
 * as WHATWG URL serializes it, which is what fetch sends.
 */
export async function signRequest<request extends Request | SignableRequest>(
  request: request,
  parameters: SignRequestParameters,
): Promise<SignRequestReturnType<request>> {
  const { key, created = Math.floor(Date.now() / 1000), expires, label = defaultSignatureLabel, digest = "sha-256" } = parameters;
  const nonce = parameters.nonce ?? randomNonce();
  if (!key?.privateKey) throw new SignRequestError("Cannot sign: the key file has no private key.");
  if (!Number.isSafeInteger(created) || created < 0) throw new SignRequestError("created must be unix seconds.");
  if (expires !== undefined && (!Number.isSafeInteger(expires) || expires < created)) throw new SignRequestError("expires must be unix seconds, not before created.");
  if (typeof nonce !== "string" || nonce.length > maxNonceLength || !noncePattern.test(nonce)) {
    throw new SignRequestError(`nonce must be 1..${maxNonceLength} visible ASCII characters.`);
  }
  if (typeof label !== "string" || !labelPattern.test(label)) throw new SignRequestError(`Invalid signature label "${String(label)}".`);
  if (!(digest in digestAlgorithms)) throw new SignRequestError(`Unsupported digest "${String(digest)}": use sha-256 or sha-512.`);

  const isRequest = typeof Request !== "undefined" && request instanceof Request;
  let method: string;
  let href: string;
  let headers: MessageHeaders;
  let body: Uint8Array | undefined;
  if (isRequest) {
    method = request.method;
    href = request.url;
    headers = request.headers;
    if (request.body !== null) body = new Uint8Array(await request.clone().arrayBuffer());
  } else {
    const plain = request as SignableRequest;
    method = plain.method;
    try {
      href = new URL(plain.url).href;
    } catch (cause) {
      throw new SignRequestError("The request URL is not an absolute URL.", { cause });
    }
    headers = plain.headers ?? {};
    body = typeof plain.body === "string" ? new TextEncoder().encode(plain.body) : plain.body;
  }
  const target = parseRequestTarget(href);
  if (!target.ok) throw new SignRequestError(`Cannot sign this request: ${target.error}.`);
  const collected = collectFields(headers);
  if (!collected.ok) throw new SignRequestError(`Cannot sign this request: ${collected.error}.`);
  const fields = collected.value;

  const hasBody = body !== undefined && body.length > 0;
  const added: [string, string][] = [];
  if (hasBody) {
    const hashName = digest === "sha-256" ? "SHA-256" : "SHA-512";
    const value = new Uint8Array(await crypto.subtle.digest(hashName, body as Uint8Array<ArrayBuffer>));
    const contentDigest = serializeContentDigest({ algorithm: digest, digest: value });
    fields.set("content-digest", [contentDigest]);
    added.push(["Content-Digest", contentDigest]);
  }

  const names =
    parameters.components ?? requiredComponents({ required: profileComponents, hasQuery: target.value.query.length > 1, hasBody });
  for (const name of names) {
    if (typeof name !== "string" || !isComponentName(name)) throw new SignRequestError(`"${String(name)}" is not a component name.`);
  }
  const components: Item[] = names.map((name) => [name, new Map()]);
  const signatureParameters = new Map<string, string | number>([
    ["keyid", key.keyId.toLowerCase()],
    ["alg", key.alg],
    ["created", created],
  ]);
  if (expires !== undefined) signatureParameters.set("expires", expires);
  signatureParameters.set("nonce", nonce);

  const built = createSignatureBase({ message: { method, ...target.value, fields }, components, parameters: signatureParameters });
  if (!built.ok) throw new SignRequestError(`Cannot sign this request: ${built.error}.`);
  const signature = await signBytes({ privateKey: key.privateKey, data: new TextEncoder().encode(built.value.base) });

  const inputs = existing(fields.get("signature-input"), "Signature-Input");
  const signatures = existing(fields.get("signature"), "Signature");
  inputs.set(label, [components, signatureParameters]);
  signatures.set(label, [signature as Uint8Array<ArrayBuffer>, new Map()]);
  added.push(["Signature-Input", serializeDictionary(inputs)], ["Signature", serializeDictionary(signatures)]);

  if (isRequest) {
    const next = new Headers(request.headers);
    for (const [name, value] of added) next.set(name, value);
    return new Request(request, { headers: next, ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }) }) as SignRequestReturnType<request>;
  }
  return { ...request, headers: withHeaders(headers, added) } as SignRequestReturnType<request>;
}

function existing(lines: readonly string[] | undefined, name: string): Dictionary {
  if (!lines) return new Map();
  try {
    return parseDictionary(lines.join(", "));
  } catch (cause) {
    throw new SignRequestError(`The request already has an invalid ${name} field.`, { cause });
  }
}

function withHeaders(headers: MessageHeaders, added: [string, string][]): MessageHeaders {
  const replaced = new Set(added.map(([name]) => name.toLowerCase()));
  if (headers instanceof Headers) {
    const next = new Headers(headers);
    for (const [name, value] of added) next.set(name, value);
    return next;
  }
  if (Array.isArray(headers)) {
    return [...(headers as [string, string][]).filter(([name]) => !replaced.has(name.toLowerCase())), ...added];
  }
  const next: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!replaced.has(name.toLowerCase())) next[name] = value;
  }
  for (const [name, value] of added) next[name.toLowerCase()] = value;
  return next;
}

function randomNonce(): string {
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
