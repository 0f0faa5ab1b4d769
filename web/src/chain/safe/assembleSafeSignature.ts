import { type Address, concat, type Hex } from "viem";
import type { SafeSigningRequest } from "./safeSigningRequest.ts";

export type AssembleSafeSignatureParameters = { request: SafeSigningRequest; threshold: number };

export type AssembleSafeSignatureReturnType = { signature: Hex; signers: Address[] };

/**
 * The Safe's ERC-1271 signature: `threshold` owners' 65-byte signatures concatenated in
 * ascending owner-address order, as `checkNSignatures` requires (it refuses a signer not
 * greater than the previous one, GS026). More than the threshold would be ignored by the
 * Safe, so exactly `threshold` go in (the lowest addresses of those who signed).
 */
export function assembleSafeSignature({ request, threshold }: AssembleSafeSignatureParameters): AssembleSafeSignatureReturnType {
  if (request.signatures.length < threshold) {
    throw new Error(`The Safe needs ${threshold} owners' signatures; ${request.signatures.length} collected, ${threshold - request.signatures.length} missing.`);
  }
  const chosen = [...request.signatures].sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : BigInt(a.owner) > BigInt(b.owner) ? 1 : 0)).slice(0, threshold);
  return { signature: concat(chosen.map((s) => s.signature)), signers: chosen.map((s) => s.owner) };
}
