import {
  type BareItem,
  isInnerList,
  type Item,
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeList,
} from "structured-headers";
import type { HttpMessage, ParseResult } from "./message.ts";

/** Derived components this implementation resolves (RFC 9421 §2.2). */
export const derivedComponents = [
  "@method",
  "@target-uri",
  "@authority",
  "@scheme",
  "@request-target",
  "@path",
  "@query",
  "@query-param",
  "@status",
] as const;

/**
 * Structured field types that `sf` and `key` need (RFC 9421 §2.1.1: the type must
 * be known to the application). Other fields can only be covered as raw values.
 */
export const structuredFieldTypes: Readonly<Record<string, "dictionary" | "list" | "item">> = {
  "content-digest": "dictionary",
  "repr-digest": "dictionary",
  "want-content-digest": "dictionary",
  "want-repr-digest": "dictionary",
  "signature-input": "dictionary",
  signature: "dictionary",
  "accept-signature": "dictionary",
  priority: "dictionary",
  "cache-status": "list",
  "proxy-status": "list",
};

const derived = new Set<string>(derivedComponents);
const derivedIdentifiers = new Map<string, string>(derivedComponents.map((name) => [name, `"${name}"`]));
const fieldNamePattern = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
// HTAB and visible ASCII: anything else (CR, LF, NUL, obs-text) could forge lines of
// the signature base or is not ASCII, which RFC 9421 §2.5 forbids.
const valuePattern = /^[\t\x20-\x7e]*$/;

export type ResolvedComponent = { identifier: string; value: string };

/**
 * The component identifier (serialized, e.g. `"@query-param";name="Pet"`) and its
 * value in `message`, or why it cannot be resolved.
 */
export function resolveComponent(message: HttpMessage, item: Item): ParseResult<ResolvedComponent> {
  const value = componentValue(message, item);
  if (typeof value !== "string") return value;
  const identifier = componentIdentifier(item);
  if (typeof identifier !== "string") return identifier;
  if (!valuePattern.test(value)) return fail(`component ${identifier} contains a character outside visible ASCII`);
  return { ok: true, value: { identifier, value } };
}

// The two halves of resolveComponent, for the signature base, which resolves every
// covered component of every request: strings, with an object only on failure.
export type ComponentFailure = { ok: false; error: string };

/**
 * Parses one signature base needs more than once: each `;key=` component of the
 * same field and each `@query-param` would otherwise re-parse the whole field or
 * query, so a hostile Signature-Input could make the work quadratic in its size.
 * One per signature base, filled lazily.
 */
export type ComponentCache = {
  dictionaries: Map<string, ReturnType<typeof parseDictionary> | undefined>;
  query: [string, string | undefined][] | undefined;
};

export function createComponentCache(): ComponentCache {
  return { dictionaries: new Map(), query: undefined };
}

/** The value of a covered component in `message` (not yet checked to be visible ASCII). */
export function componentValue(message: HttpMessage, item: Item, cache?: ComponentCache): string | ComponentFailure {
  const [name, params] = item;
  if (typeof name !== "string") return fail("a covered component is not a string");
  return name.charCodeAt(0) === 0x40 ? derivedValue(message, name, params, cache) : fieldValue(message, name, params, cache);
}

/** The serialized component identifier, e.g. `"@method"` or `"@query-param";name="Pet"`. */
export function componentIdentifier(item: Item): string | ComponentFailure {
  const name = item[0] as string;
  if (item[1].size === 0) {
    // A resolved name is a known derived name or a lowercase token: nothing to
    // escape, so this is exactly what serializeItem returns, without its cost.
    return derivedIdentifiers.get(name) ?? `"${name}"`;
  }
  try {
    return serializeItem(item);
  } catch {
    return fail("a covered component cannot be serialized");
  }
}

/** True for a value that may appear on a signature base line (RFC 9421 §2.5). */
export function isComponentValue(value: string): boolean {
  return valuePattern.test(value);
}

/** True for a component name this implementation can resolve (a derived name it knows, or a lowercase field name). */
export function isComponentName(name: string): boolean {
  return name.startsWith("@") ? derived.has(name) : fieldNamePattern.test(name);
}

function derivedValue(message: HttpMessage, name: string, params: Map<string, BareItem>, cache: ComponentCache | undefined): string | ComponentFailure {
  if (params.size !== 0) {
    for (const key of params.keys()) {
      if (!(name === "@query-param" && key === "name")) return fail(`parameter ${key} is not supported on ${name}`);
    }
  }
  if (name === "@status") {
    return message.status === undefined ? fail("@status applies to responses only") : String(message.status);
  }
  if (message.method === undefined) return fail(`${name} applies to requests only`);
  const { scheme = "", authority = "", path = "/", query = "" } = message;
  switch (name) {
    case "@method":
      return message.method;
    case "@target-uri":
      return `${scheme}://${authority}${path}${query}`;
    case "@authority":
      return authority;
    case "@scheme":
      return scheme;
    case "@request-target":
      return `${path}${query}`;
    case "@path":
      return path;
    case "@query":
      // RFC 9421 §2.2.7: an absent query is the "?" alone, the same as an empty one.
      return query === "" ? "?" : query;
    case "@query-param":
      return queryParam(query, params.get("name"), cache);
    default:
      return fail(`unsupported derived component ${name}`);
  }
}

function queryParam(query: string, name: BareItem | undefined, cache: ComponentCache | undefined): string | ComponentFailure {
  if (typeof name !== "string") return fail('@query-param needs a string "name" parameter');
  let pairs = cache?.query;
  if (!pairs) {
    // Re-encoding costs ~1 µs per pair: a huge query would cost milliseconds to anyone who names a registered key.
    if (query.length > maxStructuredFieldLength) return fail(`the query is longer than ${maxStructuredFieldLength} characters, too long to cover by @query-param (cover @query)`);
    // Parsed and re-encoded once per signature base, whatever the number of @query-param components.
    pairs = [];
    for (const [key, value] of new URLSearchParams(query)) {
      const encoded = formEncode(key);
      if (encoded === undefined) return fail("the query cannot be re-encoded");
      pairs.push([encoded, formEncode(value)]);
    }
    if (cache) cache.query = pairs;
  }
  let found: string | undefined;
  let count = 0;
  for (const [encoded, value] of pairs) {
    if (encoded === name) {
      count++;
      found = value;
    }
  }
  // RFC 9421 §2.2.8: a repeated parameter must not be covered by name.
  if (count !== 1 || found === undefined) return fail(count === 0 ? `query parameter ${name} is absent` : `query parameter ${name} is repeated`);
  return found;
}

/** Percent-encodes with the application/x-www-form-urlencoded set, spaces as %20 (RFC 9421 §2.2.8). */
function formEncode(value: string): string | undefined {
  try {
    return encodeURIComponent(value).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return undefined;
  }
}

function fieldValue(message: HttpMessage, name: string, params: Map<string, BareItem>, cache: ComponentCache | undefined): string | ComponentFailure {
  if (!fieldNamePattern.test(name)) return fail(`component "${name}" is not a lowercase field name`);
  const lines = message.fields.get(name);
  if (params.size === 0) {
    if (!lines) return fail(`covered field ${name} is absent`);
    return lines.length === 1 ? lines[0]! : lines.join(", ");
  }
  for (const key of params.keys()) {
    if (key !== "sf" && key !== "key" && key !== "bs") return fail(`parameter ${key} is not supported on field ${name}`);
  }
  if (!lines) return fail(`covered field ${name} is absent`);
  const bs = params.get("bs");
  const sf = params.get("sf");
  const key = params.get("key");
  if (bs === true) {
    if (sf !== undefined || key !== undefined) return fail(`field ${name} cannot be both bs and sf/key`);
    // RFC 9421 §2.1.3: each field line wrapped as a byte sequence, latin1 bytes.
    try {
      return lines.map((line) => `:${btoa(line)}:`).join(", ");
    } catch {
      return fail(`field ${name} has a character outside latin1`);
    }
  }
  if (bs !== undefined || (sf !== undefined && sf !== true)) return fail(`field ${name} has an invalid parameter value`);
  const combined = lines.join(", ");
  if (sf === undefined && key === undefined) return combined;
  const type = structuredFieldTypes[name];
  if (!type) return fail(`field ${name} has no known structured type`);
  // structured-headers parses ~10 MB/s: a 170 KB field would cost 20 ms to anyone who names a registered key.
  if (combined.length > maxStructuredFieldLength) return fail(`field ${name} is longer than ${maxStructuredFieldLength} characters, too long to parse as a structured field`);
  try {
    if (key !== undefined) {
      if (typeof key !== "string" || type !== "dictionary") return fail(`key is only valid on dictionary fields`);
      let dictionary = cache?.dictionaries.get(name);
      if (!dictionary) {
        dictionary = parseDictionary(combined);
        cache?.dictionaries.set(name, dictionary);
      }
      const member = dictionary.get(key);
      if (!member) return fail(`field ${name} has no member ${key}`);
      return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
    }
    if (type === "dictionary") return serializeDictionary(parseDictionary(combined));
    if (type === "list") return serializeList(parseList(combined));
    return serializeItem(parseItem(combined));
  } catch {
    return fail(`field ${name} is not a valid structured field`);
  }
}

/** Longest field re-serialized for `;sf` or `;key=`, and longest query split for `@query-param`: far above any honest one. */
const maxStructuredFieldLength = 8192;

function fail(error: string): ComponentFailure {
  return { ok: false, error };
}
