import type { KeyFile } from "../keys/index.ts";
import { NoSigningKeyError } from "./errors.ts";

export type SelectSigningKeyParameters = {
  keys: readonly KeyFile[];
  /** ms since the epoch. Default `Date.now()`. */
  now?: number | undefined;
};

/**
 * The key to sign with: among keys with a private key whose window contains now
 * (notBefore <= now < expiresAt, absent bounds open), the highest `version`
 * (absent counts as 0); on a tie the later notBefore, then the earlier in the list.
 * So after a rotation the new version is used as soon as its window opens, and
 * the old one while the new one is not yet valid.
 */
export function selectSigningKey({ keys, now = Date.now() }: SelectSigningKeyParameters): KeyFile {
  const seconds = now / 1000;
  let best: KeyFile | undefined;
  for (const key of keys) {
    if (!key?.privateKey) continue;
    if (key.notBefore !== undefined && seconds < key.notBefore) continue;
    if (key.expiresAt !== undefined && seconds >= key.expiresAt) continue;
    if (!best || rank(key) > rank(best) || (rank(key) === rank(best) && (key.notBefore ?? 0) > (best.notBefore ?? 0))) best = key;
  }
  if (!best) {
    throw new NoSigningKeyError("No valid signing key.", {
      metaMessages: [`${keys.length} key(s) given; none has a private key and a validity window containing now.`],
    });
  }
  return best;
}

function rank(key: KeyFile): number {
  return key.version ?? 0;
}
