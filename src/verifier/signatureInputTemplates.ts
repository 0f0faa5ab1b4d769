import {
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  isInnerList,
  parseDictionary,
  parseItem,
  serializeInnerList,
  serializeParameters,
} from "structured-headers";
import { componentIdentifier } from "../profile/components.ts";

export type SignatureInputTemplatesParameters = {
  /** Most prefixes remembered per kind (per signer, and per signer and second); the oldest is dropped first. */
  maxTemplates: number;
};

/** A remembered Signature-Input prefix and the structured-headers parse of it. */
export type SignatureInputTemplate = {
  readonly prefix: string;
  readonly label: string;
  readonly components: Item[];
  /** The prefix's signature parameters, in order. */
  readonly parameters: readonly (readonly [string, BareItem])[];
  /** true: the prefix ends before `created`, the same on every request of a signer; false: it also holds `created` (and `expires`). */
  readonly perSigner: boolean;
  /**
   * `componentIdentifier` of each of `components`, all distinct, or undefined when
   * one cannot be serialized; `canonical`: the prefix is exactly `label=` and the
   * serialization of (components, parameters), checked when the template was made.
   */
  readonly identifiers: readonly string[] | undefined;
  readonly canonical: boolean;
};

export type SignatureInputParse = {
  /** Exactly `parseDictionary(value)`. */
  dictionary: Dictionary;
  /** The template whose prefix was reused, if one was. */
  template: SignatureInputTemplate | undefined;
  /**
   * The canonical serialization of the one member (its `@signature-params`), when
   * the text is known to be it: a canonical template prefix followed by parameters
   * read by the canonical-only shortcut (see `parseCanonicalParameters`).
   */
  signatureParams?: string | undefined;
};

export type SignatureInputTemplates = {
  /** parseDictionary, reusing a remembered prefix when `value` starts with one. Throws what parseDictionary throws. */
  parse(value: string): SignatureInputParse;
  /**
   * Learns from a Signature-Input whose signature verified: `member` is its
   * parsed member `label`, `signatureParams` that member's canonical
   * serialization (the signature base's `@signature-params`), and `parsed` what
   * `parse` returned for it.
   */
  remember(value: string, label: string, member: InnerList, signatureParams: string, parsed: SignatureInputParse): void;
};

/** RFC 9421 §2.3 parameters that change between a signer's signatures; keyid, alg and tag do not. */
const perSignatureParameters = new Set(["created", "expires", "nonce"]);
const semicolon = 0x3b;
/** Distinct prefix lengths tried per request: a few per signer "shape" (label, components, alg name); fields of further shapes are parsed whole. */
const maxPrefixLengths = 16;

/**
 * Parsing Signature-Input costs more than the rest of a request's checks
 * together (structured-headers reads it a character at a time, with a regular
 * expression per character), yet a signer sends the same
 * `label=("@method" …);keyid="0x…";alg="…"` every time, and the same
 * `;created=…` for a second's worth of requests: only the nonce is new every
 * time. So a verifier keeps the parse of those prefixes, and a field that starts
 * with one has only its remaining parameters parsed, by structured-headers too.
 *
 * The result is exactly parseDictionary(value). The parser reads left to right
 * with one character of lookahead; after a remembered prefix it is in the
 * member's parameter loop, facing the ";" that the new value must also have
 * there. So the prefix parses as it did before, and the rest is parsed as the
 * parameters of a dummy item (`?1;…`) that must then end: anything else
 * (another member, stray characters) throws there and the whole field is
 * parsed instead. Later parameters are added with Map.set, as the full parse
 * does, so a repeated name overwrites in place there too.
 *
 * A per-signer prefix is remembered as structured-headers parses it on its own
 * (it is a complete dictionary), cut at the first `created`/`expires`/`nonce`
 * of a field that is canonical (equal to its own serialization, so the cut
 * falls where the serializer says). A per-second prefix extends a per-signer one
 * with the serialization of the parameters up to `nonce`, when the field holds
 * exactly that text; the parser reads canonical text back to the same values.
 *
 * Only signatures that verified are remembered, so nobody without a valid key
 * can fill the tables, and the oldest entry goes first when one is full.
 */
export function signatureInputTemplates({ maxTemplates }: SignatureInputTemplatesParameters): SignatureInputTemplates {
  // Two tables, so that a new second's prefixes never push out a signer's.
  const perSigner = new Map<string, SignatureInputTemplate>();
  const perSecond = new Map<string, SignatureInputTemplate>();
  // The prefix lengths seen, longest first (a per-second prefix saves more than its
  // per-signer one), each with the template last found at that length: comparing
  // with it is cheaper than hashing a ~150-character slice for the tables.
  const lengths: { length: number; last: SignatureInputTemplate }[] = [];

  function add(table: Map<string, SignatureInputTemplate>, template: SignatureInputTemplate): void {
    if (!lengths.some((entry) => entry.length === template.prefix.length)) {
      if (lengths.length === maxPrefixLengths) return;
      lengths.push({ length: template.prefix.length, last: template });
      lengths.sort((a, b) => b.length - a.length);
    }
    if (table.size >= maxTemplates) table.delete(table.keys().next().value!);
    table.set(template.prefix, template);
  }

  function rememberPerSigner(value: string, label: string, member: InnerList, signatureParams: string): void {
    if (value.length !== label.length + 1 + signatureParams.length || value !== `${label}=${signatureParams}`) return;
    const [components, parameters] = member;
    const leading = new Map<string, BareItem>();
    let varies = false;
    for (const [name, item] of parameters) {
      if (perSignatureParameters.has(name)) {
        varies = true;
        break;
      }
      leading.set(name, item);
    }
    if (!varies) return;
    let prefix: string;
    let parsed: Dictionary;
    try {
      prefix = `${label}=${serializeInnerList([components, leading])}`;
      if (perSigner.has(prefix) || !value.startsWith(prefix) || value.charCodeAt(prefix.length) !== semicolon) return;
      // The template holds the prefix's own parse: nothing shared with a request.
      parsed = parseDictionary(prefix);
    } catch {
      return;
    }
    const own = parsed.get(label);
    if (parsed.size !== 1 || own === undefined || !isInnerList(own) || holdsDate(own)) return;
    add(perSigner, makeTemplate(prefix, label, own[0], [...own[1]], true));
  }

  function rememberPerSecond(value: string, member: InnerList, base: SignatureInputTemplate): void {
    const parameters = new Map<string, BareItem>(base.parameters);
    const added = new Map<string, BareItem>();
    for (const [name, item] of member[1]) {
      if (name === "nonce") break;
      if (!parameters.has(name)) added.set(name, item);
    }
    if (added.size === 0 || holdsDate([[], added])) return;
    let prefix: string;
    try {
      prefix = `${base.prefix}${serializeParameters(added)}`;
    } catch {
      return;
    }
    if (perSecond.has(prefix) || !value.startsWith(prefix) || value.charCodeAt(prefix.length) !== semicolon) return;
    for (const [name, item] of added) parameters.set(name, item);
    add(perSecond, makeTemplate(prefix, base.label, base.components, [...parameters], false));
  }

  return {
    parse(value: string): SignatureInputParse {
      for (const entry of lengths) {
        const at = entry.length;
        if (value.charCodeAt(at) !== semicolon) continue;
        let template: SignatureInputTemplate | undefined = entry.last;
        if (!value.startsWith(template.prefix)) {
          const prefix = value.slice(0, at);
          template = perSecond.get(prefix) ?? perSigner.get(prefix);
          if (template === undefined) continue;
          entry.last = template;
        }
        let parameters = new Map<string, BareItem>(template.parameters);
        // The usual rest (`;created=…;nonce="…"`, canonical) is read here; anything
        // else goes to structured-headers, as before.
        if (parseCanonicalParameters(value, at, parameters)) {
          return {
            dictionary: new Map([[template.label, [template.components, parameters]]]),
            template,
            signatureParams: template.canonical ? value.slice(template.label.length + 1) : undefined,
          };
        }
        let rest: Map<string, BareItem>;
        try {
          // `?1` (a boolean) is the cheapest item for structured-headers to get past.
          rest = parseItem(`?1${value.slice(at)}`)[1];
        } catch {
          break;
        }
        parameters = new Map<string, BareItem>(template.parameters);
        for (const [name, item] of rest) parameters.set(name, item);
        return { dictionary: new Map([[template.label, [template.components, parameters]]]), template };
      }
      return { dictionary: parseDictionary(value), template: undefined };
    },

    remember(value: string, label: string, member: InnerList, signatureParams: string, parsed: SignatureInputParse): void {
      if (parsed.template === undefined) {
        if (parsed.dictionary.size === 1) rememberPerSigner(value, label, member, signatureParams);
      } else if (parsed.template.perSigner) rememberPerSecond(value, member, parsed.template);
    },
  };
}

/**
 * A template for `prefix`, with its components' identifiers and whether the
 * prefix is exactly the serialization of what it holds (label, components,
 * parameters): then a field made of the prefix and canonical parameters is its
 * own `@signature-params` text.
 */
function makeTemplate(prefix: string, label: string, components: Item[], parameters: (readonly [string, BareItem])[], perSigner: boolean): SignatureInputTemplate {
  let identifiers: string[] | undefined = [];
  for (const component of components) {
    const identifier = componentIdentifier(component);
    if (typeof identifier !== "string" || identifiers.includes(identifier)) {
      identifiers = undefined;
      break;
    }
    identifiers.push(identifier);
  }
  let canonical = false;
  if (identifiers !== undefined) {
    try {
      canonical = prefix === `${label}=(${identifiers.join(" ")})${serializeParameters(new Map(parameters))}` && prefix === `${label}=${serializeInnerList([components, new Map(parameters)])}`;
    } catch {
      canonical = false;
    }
  }
  return { prefix, label, components, parameters, perSigner, identifiers, canonical };
}

const maxSfIntegerDigits = 15;

/**
 * Reads `;key=value` parameters from `value` at `at` to its end into `parameters`
 * (which holds the template's), accepting only text that is the canonical
 * serialization of what it holds: each key new (not already in `parameters`),
 * each value an integer (no sign, no leading zero, at most 15 digits) or a string
 * of visible ASCII and spaces without `"` or `\`, nothing after the last one.
 * Such text parses, in structured-headers, to exactly these Map.set calls. On
 * false `parameters` may hold some of them: the caller starts again.
 */
function parseCanonicalParameters(value: string, at: number, parameters: Map<string, BareItem>): boolean {
  const length = value.length;
  let i = at;
  while (i < length) {
    if (value.charCodeAt(i) !== semicolon) return false;
    const keyStart = ++i;
    let c = value.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || c === 0x2a)) return false;
    for (i++; i < length; i++) {
      c = value.charCodeAt(i);
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a)) break;
    }
    if (c !== 0x3d) return false;
    const key = value.slice(keyStart, i);
    if (parameters.has(key)) return false;
    const valueStart = ++i;
    c = value.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      for (i++; i < length; i++) {
        c = value.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
      }
      const digits = i - valueStart;
      if (digits > maxSfIntegerDigits || (digits > 1 && value.charCodeAt(valueStart) === 0x30)) return false;
      if (i < length && c !== semicolon) return false;
      parameters.set(key, Number(value.slice(valueStart, i)));
    } else if (c === 0x22) {
      for (i++; i < length; i++) {
        c = value.charCodeAt(i);
        if (c === 0x22 || c === 0x5c || c < 0x20 || c > 0x7e) break;
      }
      if (c !== 0x22 || i >= length) return false;
      parameters.set(key, value.slice(valueStart + 1, i));
      i++;
    } else return false;
  }
  return true;
}

/**
 * structured-headers reads a Date (`@123`) up to the end of its input, so a date
 * followed by ";" throws where the same date ending a prefix parses: a prefix
 * holding one would not parse the same inside a longer field. (No verified field
 * has a date before its last parameter, as it would not have parsed; this keeps
 * the tables sound on their own.)
 */
function holdsDate([items, parameters]: InnerList): boolean {
  for (const value of parameters.values()) if (value instanceof Date) return true;
  for (const [value, itemParameters] of items) {
    if (value instanceof Date) return true;
    for (const parameter of itemParameters.values()) if (parameter instanceof Date) return true;
  }
  return false;
}
