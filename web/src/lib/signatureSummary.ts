import { parseDictionary } from "structured-headers";
import type { RawRequest } from "./parseRawRequest.ts";

export type SignatureSummary = {
  label: string;
  components: string[];
  keyId: string | undefined;
  alg: string | undefined;
  created: number | undefined;
  expires: number | undefined;
  nonce: string | undefined;
};

export type SignatureSummaryReturnType = { ok: true; signatures: SignatureSummary[] } | { ok: false; message: string };

/**
 * What a request's Signature-Input claims (label, covered components, key id,
 * times, nonce), parsed as RFC 8941 structured fields. It checks nothing: only a
 * verifier can say whether the signature holds.
 */
export function signatureSummary(request: RawRequest): SignatureSummaryReturnType {
  const header = request.headers.filter(([name]) => name === "signature-input").map(([, value]) => value).join(", ");
  if (!header) return { ok: false, message: "The request has no Signature-Input header." };
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    dictionary = parseDictionary(header);
  } catch (error) {
    return { ok: false, message: `Signature-Input is not a valid structured field: ${error instanceof Error ? error.message : String(error)}` };
  }
  const signatures: SignatureSummary[] = [];
  for (const [label, member] of dictionary) {
    const [items, params] = member;
    if (!Array.isArray(items)) return { ok: false, message: `Signature-Input member "${label}" is not an inner list.` };
    const param = (name: string) => params.get(name);
    const num = (name: string) => (typeof param(name) === "number" ? (param(name) as number) : undefined);
    const str = (name: string) => (typeof param(name) === "string" ? (param(name) as string) : undefined);
    signatures.push({
      label,
      components: items.map(([value, itemParams]) => {
        const suffix = [...itemParams].map(([k, v]) => (v === true ? `;${k}` : `;${k}="${String(v)}"`)).join("");
        return `${String(value)}${suffix}`;
      }),
      keyId: str("keyid"),
      alg: str("alg"),
      created: num("created"),
      expires: num("expires"),
      nonce: str("nonce"),
    });
  }
  return { ok: true, signatures };
}
