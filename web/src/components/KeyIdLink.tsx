import type { Hex } from "viem";
import { shortHex } from "../lib/shortHex.ts";

/** A key id that opens its full record on the Look-up page. */
export function KeyIdLink({ keyId, chars = 6 }: { keyId: Hex; chars?: number }) {
  return (
    <a href={`#/lookup/${keyId}`} className="mono" title={`Look up ${keyId}`}>
      {shortHex(keyId, chars)}
    </a>
  );
}
