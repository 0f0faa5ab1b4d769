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
};

export type SignatureInputParse = {
  /** Exactly `parseDictionary(value)`. */
  dictionary: Dictionary;
  /** The template whose prefix was reused, if one was. */
  template: SignatureInputTemplate | undefined;
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
    add(perSigner, { prefix, label, components: own[0], parameters: [...own[1]], perSigner: true });
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
    add(perSecond, { prefix, label: base.label, components: base.components, parameters: [...parameters], perSigner: false });
  }

  return {
    parse(value: string): SignatureInputParse {
      for (const entry of lengths) {
        const at = entry.length;
        if (value.charCodeAt(at) !== semicolon) continue;
        const prefix = value.slice(0, at);
        let template: SignatureInputTemplate | undefined = entry.last;
        if (prefix !== template.prefix) {
          template = perSecond.get(prefix) ?? perSigner.get(prefix);
          if (template === undefined) continue;
          entry.last = template;
        }
        let rest: Map<string, BareItem>;
        try {
          // `?1` (a boolean) is the cheapest item for structured-headers to get past.
          rest = parseItem(`?1${value.slice(at)}`)[1];
        } catch {
          break;
        }
        const parameters = new Map<string, BareItem>();
        for (const [name, item] of template.parameters) parameters.set(name, item);
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
