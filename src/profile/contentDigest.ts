import { parseDictionary, serializeDictionary } from "structured-headers";
import type { ParseResult } from "./message.ts";

/** Content-Digest algorithms of the profile (RFC 9530 §5, both "standard"), with digest lengths. */
export const digestAlgorithms = { "sha-256": 32, "sha-512": 64 } as const;
export type DigestAlgorithm = keyof typeof digestAlgorithms;

/**
 * The profile's members of a Content-Digest field: sha-256 and/or sha-512 with a
 * byte sequence of the right length. Other algorithms are ignored (RFC 9530 lets a
 * recipient pick); a field with none of ours is an error.
 */
export function parseContentDigest(value: string): ParseResult<Map<DigestAlgorithm, Uint8Array>> {
  let dictionary;
  try {
    dictionary = parseDictionary(value);
  } catch {
    return { ok: false, error: "Content-Digest is not a structured dictionary" };
  }
  const digests = new Map<DigestAlgorithm, Uint8Array>();
  for (const [algorithm, length] of Object.entries(digestAlgorithms) as [DigestAlgorithm, number][]) {
    const member = dictionary.get(algorithm);
    if (member === undefined) continue;
    const bytes = member[0];
    if (!(bytes instanceof ArrayBuffer) || bytes.byteLength !== length) {
      return { ok: false, error: `Content-Digest ${algorithm} is not a ${length}-byte sequence` };
    }
    digests.set(algorithm, new Uint8Array(bytes));
  }
  if (digests.size === 0) return { ok: false, error: "Content-Digest has no sha-256 or sha-512 member" };
  return { ok: true, value: digests };
}

/** `sha-256=:…:` for the given digest. */
export function serializeContentDigest({ algorithm, digest }: { algorithm: DigestAlgorithm; digest: Uint8Array }): string {
  return serializeDictionary(new Map([[algorithm, [digest as Uint8Array<ArrayBuffer>, new Map()]]]));
}
