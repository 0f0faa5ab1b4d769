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
