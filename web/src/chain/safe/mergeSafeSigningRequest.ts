import { type Address, isAddressEqual } from "viem";
import { addSafeSignature } from "./addSafeSignature.ts";
import type { SafeSigningRequest } from "./safeSigningRequest.ts";

export type MergeSafeSigningRequestParameters = {
  /** The request on the page. */
  current: SafeSigningRequest;
  /** A request file from another owner (parsed with `parseSafeSigningRequest`). */
  imported: SafeSigningRequest;
  /** The Safe's owners as read on chain now. */
  owners: readonly Address[];
};

export type MergeSafeSigningRequestReturnType =
  /** `added`: owners whose signatures were new; `refused`: each refused signature with its reason. */
  | { ok: true; request: SafeSigningRequest; added: Address[]; refused: { owner: Address; message: string }[]; alreadyCounted: Address[] }
  | { ok: false; message: string };

/**
 * Takes the signatures of another copy of the same request. The copy must be for the very
 * same operation: same chain, registry, Safe, nonce, deadline and arguments (each mismatch
 * named, since a signature over anything else would only fail at the Safe); then each of its
 * signatures is checked like one signed here (`addSafeSignature`).
 */
export async function mergeSafeSigningRequest({ current, imported, owners }: MergeSafeSigningRequestParameters): Promise<MergeSafeSigningRequestReturnType> {
  if (imported.chainId !== current.chainId) return { ok: false, message: `This request is for chain ${imported.chainId}; this one is on chain ${current.chainId}.` };
  if (!isAddressEqual(imported.registry, current.registry)) return { ok: false, message: `This request is for another registry (${imported.registry}), not ${current.registry}.` };
  if (!isAddressEqual(imported.safe, current.safe)) return { ok: false, message: `This request is for another Safe (${imported.safe}), not ${current.safe}.` };
  if (imported.nonce !== current.nonce) return { ok: false, message: `This request uses the Safe's registry nonce ${imported.nonce}; this one uses ${current.nonce}. Signatures for one do not count for the other.` };
  if (imported.deadline !== current.deadline) return { ok: false, message: `This request has another deadline (${imported.deadline}, not ${current.deadline}): it is a different request.` };
  if (imported.operation.operation !== current.operation.operation) return { ok: false, message: `This request is for another operation (${imported.operation.operation}, not ${current.operation.operation}).` };
  if (imported.safeMessageHash !== current.safeMessageHash) return { ok: false, message: `This request is for a different ${current.operation.operation}: its arguments differ (another key, label, reason…).` };
  let request = current;
  const added: Address[] = [];
  const refused: { owner: Address; message: string }[] = [];
  const alreadyCounted: Address[] = [];
  for (const entry of imported.signatures) {
    // The very signature already here: the file came back with what it was sent with, not a second vote.
    if (request.signatures.some((s) => s.signature.toLowerCase() === entry.signature.toLowerCase())) {
      alreadyCounted.push(entry.owner);
      continue;
    }
    const result = await addSafeSignature({ request, owners, signature: entry.signature, owner: entry.owner });
    if (result.ok) {
      request = result.request;
      added.push(result.signer);
    } else refused.push({ owner: entry.owner, message: result.message });
  }
  return { ok: true, request, added, refused, alreadyCounted };
}
