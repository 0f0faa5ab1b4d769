import { type Address, getAddress, type Hex, isAddress, isHex, size } from "viem";
import { parseRelayPayload } from "../../../../src/chain/signedOperations/parseRelayPayload.ts";
import type { RegistryOperation } from "../../../../src/chain/signedOperations/types.ts";
import { createSafeSigningRequest } from "./createSafeSigningRequest.ts";
import { type SafeOwnerSignature, type SafeSigningRequest, safeSigningRequestKind } from "./safeSigningRequest.ts";

export type ParseSafeSigningRequestReturnType = { ok: true; request: SafeSigningRequest } | { ok: false; message: string };

/**
 * A signing request file (loaded or pasted) read strictly: its operation is checked as the
 * relayer checks a payload (`parseRelayPayload`), and its two hashes are recomputed from its
 * fields, so an edited file is refused rather than signed. Signatures are only shaped here;
 * `addSafeSignature` verifies each against the Safe's owners.
 */
export function parseSafeSigningRequest(text: string): ParseSafeSigningRequestReturnType {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "This is not JSON: load or paste a Safe signing request file (keyledger-safe-signing-request)." };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, message: "A signing request is a JSON object." };
  const v = value as Record<string, unknown>;
  if (v.kind !== safeSigningRequestKind) return { ok: false, message: `This JSON is not a Safe signing request (its "kind" is not "${safeSigningRequestKind}").` };
  if (v.version !== 1) return { ok: false, message: `Unsupported signing request version ${JSON.stringify(v.version)}: this page reads version 1.` };
  if (typeof v.chainId !== "number" || !Number.isSafeInteger(v.chainId) || v.chainId <= 0) return { ok: false, message: "chainId must be a positive integer." };
  for (const field of ["registry", "safe"] as const) {
    if (typeof v[field] !== "string" || !isAddress(v[field] as string, { strict: false })) return { ok: false, message: `${field} must be an address.` };
  }
  if (!Array.isArray(v.owners) || !v.owners.every((o) => typeof o === "string" && isAddress(o, { strict: false }))) return { ok: false, message: "owners must be a list of addresses." };
  if (typeof v.threshold !== "number" || !Number.isSafeInteger(v.threshold) || v.threshold < 1) return { ok: false, message: "threshold must be a positive integer." };
  if (typeof v.nonce !== "string" || typeof v.deadline !== "string") return { ok: false, message: "nonce and deadline must be decimal strings." };
  if (typeof v.operation !== "object" || v.operation === null) return { ok: false, message: "operation is missing." };
  // The relayer's own strict check of an operation's fields, with the request's owner, nonce and deadline.
  const payload = parseRelayPayload({ ...(v.operation as object), owner: getAddress(v.safe as string), nonce: v.nonce, deadline: v.deadline, chainId: v.chainId, registry: getAddress(v.registry as string), signature: "0x00" });
  if (!payload.ok) return { ok: false, message: `The request's operation is not valid: ${payload.message}.` };
  const { owner: _o, nonce, deadline, chainId: _c, registry: _r, signature: _s, ...operation } = payload.payload;
  if (!Array.isArray(v.signatures)) return { ok: false, message: "signatures must be a list (empty when nobody has signed)." };
  const signatures: SafeOwnerSignature[] = [];
  for (const [i, s] of (v.signatures as unknown[]).entries()) {
    const entry = s as Record<string, unknown> | null;
    if (!entry || typeof entry.owner !== "string" || !isAddress(entry.owner, { strict: false }) || typeof entry.signature !== "string" || !isHex(entry.signature) || size(entry.signature as Hex) !== 65) {
      return { ok: false, message: `Signature ${i + 1} must be { "owner": address, "signature": 65 bytes of 0x-hex }.` };
    }
    signatures.push({ owner: getAddress(entry.owner), signature: entry.signature as Hex });
  }
  const request = createSafeSigningRequest({
    chainId: v.chainId,
    registry: v.registry as Address,
    safe: v.safe as Address,
    owners: v.owners as Address[],
    threshold: v.threshold,
    nonce: BigInt(nonce!),
    deadline: BigInt(deadline),
    operation: operation as RegistryOperation,
  });
  if (v.registryDigest !== undefined && String(v.registryDigest).toLowerCase() !== request.registryDigest) {
    return { ok: false, message: "The file's registryDigest does not match its operation: it was edited. Ask for the request again." };
  }
  if (v.safeMessageHash !== undefined && String(v.safeMessageHash).toLowerCase() !== request.safeMessageHash) {
    return { ok: false, message: "The file's safeMessageHash does not match its operation and Safe: it was edited. Ask for the request again." };
  }
  return { ok: true, request: { ...request, signatures } };
}
