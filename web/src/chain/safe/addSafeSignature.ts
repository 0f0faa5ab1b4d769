import { type Address, getAddress, type Hex, hexToNumber, isAddressEqual, isHex, recoverAddress, recoverMessageAddress, size, slice, concat, numberToHex } from "viem";
import type { SafeSigningRequest } from "./safeSigningRequest.ts";

export type AddSafeSignatureParameters = {
  request: SafeSigningRequest;
  /** The Safe's owners as read on chain now (not the file's copy). */
  owners: readonly Address[];
  signature: Hex;
  /** The owner the signature claims to be from (a request file names it); checked against the recovered signer. */
  owner?: Address | undefined;
};

/** Why a signature is refused; `message` says it in words, naming the accounts involved. */
export type SafeSignatureProblem = "malformed" | "not-owner" | "duplicate" | "wrong-signer";

export type AddSafeSignatureReturnType =
  | { ok: true; request: SafeSigningRequest; signer: Address }
  | { ok: false; problem: SafeSignatureProblem; message: string; signer?: Address | undefined };

/**
 * Adds one owner's signature to a request after checking it the way the Safe will:
 * recovered from the SafeMessage hash (EIP-712, v 27/28; or eth_sign, v 31/32, as the Safe
 * accepts it), by an owner, not one already counted. Refusing here, with the account named,
 * beats the Safe's bare GS026 at submission.
 */
export async function addSafeSignature({ request, owners, signature, owner }: AddSafeSignatureParameters): Promise<AddSafeSignatureReturnType> {
  if (!isHex(signature) || size(signature) !== 65) {
    return { ok: false, problem: "malformed", message: "A Safe owner's signature is 65 bytes of 0x-hex (r, s, v); this one is not." };
  }
  const v = hexToNumber(slice(signature, 64, 65));
  let signer: Address;
  try {
    if (v === 27 || v === 28) signer = await recoverAddress({ hash: request.safeMessageHash, signature });
    // eth_sign: the Safe recovers from the prefixed hash with v - 4.
    else if (v === 31 || v === 32) signer = await recoverMessageAddress({ message: { raw: request.safeMessageHash }, signature: concat([slice(signature, 0, 64), numberToHex(v - 4, { size: 1 })]) });
    else return { ok: false, problem: "malformed", message: `Unsupported signature type (v = ${v}): sign the SafeMessage with an owner's wallet (EIP-712).` };
  } catch {
    return { ok: false, problem: "malformed", message: "This signature cannot be verified: it is not a valid ECDSA signature." };
  }
  signer = getAddress(signer);
  if (owner && !isAddressEqual(owner, signer)) {
    return {
      ok: false,
      problem: "wrong-signer",
      signer,
      message: `The signature said to be from ${getAddress(owner)} is not theirs over this request's message: it was made for another operation, nonce, deadline, chain or Safe, or by someone else.`,
    };
  }
  if (!owners.some((o) => isAddressEqual(o, signer))) {
    return {
      ok: false,
      problem: "not-owner",
      signer,
      message: owner
        ? `${signer} is not an owner of the Safe ${request.safe}: only its owners' signatures count.`
        : `This signature recovers to ${signer}, which is not an owner of the Safe ${request.safe}: it is a non-owner's, or it was made for another operation, nonce, deadline or chain.`,
    };
  }
  if (request.signatures.some((s) => isAddressEqual(s.owner, signer))) {
    return { ok: false, problem: "duplicate", signer, message: `${signer} has already signed this request: each owner counts once.` };
  }
  return { ok: true, signer, request: { ...request, signatures: [...request.signatures, { owner: signer, signature }] } };
}
