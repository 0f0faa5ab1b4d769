import { type InnerList, isInnerList, parseDictionary } from "structured-headers";
import { collectFields, createSignatureBase, parseRequestTarget } from "../../src/profile/index.ts";
import type { BenchRequest } from "./benchRequest.ts";

export type SignatureBaseOfReturnType = { data: Buffer; signature: Buffer };

/**
 * The bytes a signed bench request's `sig` signature covers, and the signature:
 * what a bare node:crypto `verify` needs, computed once before timing so the
 * baseline is the signature check alone.
 */
export function signatureBaseOf(request: BenchRequest): SignatureBaseOfReturnType {
  const input = parseDictionary(request.headers["signature-input"]!).get("sig");
  const signature = parseDictionary(request.headers.signature!).get("sig");
  if (!input || !isInnerList(input) || !signature || !(signature[0] instanceof ArrayBuffer)) throw new Error("bench request is not signed with label sig");
  const target = parseRequestTarget(request.url);
  const fields = collectFields(request.headers);
  if (!target.ok || !fields.ok) throw new Error("bench request is malformed");
  const [components, parameters] = input as InnerList;
  const built = createSignatureBase({ message: { method: request.method, ...target.value, fields: fields.value }, components, parameters });
  if (!built.ok) throw new Error(`bench request: ${built.error}`);
  return { data: Buffer.from(built.value.base, "latin1"), signature: Buffer.from(signature[0]) };
}
