import { BaseError } from "../errors/BaseError.ts";

/** A verifier, resolver or adapter was configured wrongly. */
export class InvalidVerifierOptionError extends BaseError {
  override name = "InvalidVerifierOptionError";
}

/** A key given to `staticKeyResolver` / `publicKeyObject` is not a usable public key. */
export class InvalidPublicKeyError extends BaseError {
  override name = "InvalidPublicKeyError";
}

/** The key resolver or nonce store threw instead of answering (a bug or an outage it did not report). */
export class VerifierDependencyError extends BaseError {
  override name = "VerifierDependencyError";
}

/** `verify` was called with something that is not a request (an integration bug, not a hostile request). */
export class InvalidVerifyInputError extends BaseError {
  override name = "InvalidVerifyInputError";
}
