import { type InnerList, type Item, parseDictionary, parseItem } from "structured-headers";

export type DictionaryMemberParameters = {
  /** A structured dictionary field value (RFC 9651 §3.2), e.g. a Signature field. */
  value: string;
  /** A valid dictionary key. */
  label: string;
};

const colon = 0x3a;

/**
 * `parseDictionary(value).get(label)`, cheaper for the usual Signature field:
 * a single member `label=:…:`. Then structured-headers parses just the item
 * after `label=`, skipping the key and the dictionary around it (a third of the
 * parse). That gives the same member: the dictionary parser reads the key, the
 * "=", then the very same item; the item starts with ":" so the standalone
 * item parser's leading-space skip is a no-op; and the standalone parser
 * accepts only trailing spaces after the item, where the dictionary would also
 * end. Anything else (another member after it, a tab, an inner list, no match)
 * throws there and is parsed as a whole dictionary instead. Throws what
 * parseDictionary throws.
 */
export function dictionaryMember({ value, label }: DictionaryMemberParameters): Item | InnerList | undefined {
  if (value.charCodeAt(label.length) === 0x3d && value.charCodeAt(label.length + 1) === colon && value.startsWith(label)) {
    try {
      return parseItem(value.slice(label.length + 1));
    } catch {
      // Not a lone byte-sequence member: the full parse decides.
    }
  }
  return parseDictionary(value).get(label);
}

/**
 * The bytes of `parseDictionary(value).get(label)` when `value` is exactly
 * `label=:BASE64:` with canonical padded base64 (length a multiple of 4, `=` only
 * as the last one or two characters), else undefined (the caller parses). For
 * such text structured-headers reads the key, then a byte sequence up to the only
 * other ":", checks it against `[A-Za-z0-9+/=]*`, decodes it with atob and finds
 * the end: atob and Buffer's base64 decoder give the same bytes for canonical
 * padded base64, so this is that member's byte sequence, read without the
 * character-by-character parse or the ArrayBuffer copy.
 */
export function soleByteSequenceMember({ value, label }: DictionaryMemberParameters): Buffer | undefined {
  const start = label.length + 2;
  const end = value.length - 1;
  if (end < start || (end - start) % 4 !== 0) return undefined;
  if (value.charCodeAt(label.length) !== 0x3d || value.charCodeAt(label.length + 1) !== colon || value.charCodeAt(end) !== colon || !value.startsWith(label)) return undefined;
  let padding = 0;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f) {
      if (padding !== 0) return undefined;
    } else if (c === 0x3d && i >= end - 2) padding++;
    else return undefined;
  }
  return Buffer.from(value.slice(start, end), "base64");
}
