export { createVerifier } from "./createVerifier.ts";
export { InvalidPublicKeyError, InvalidVerifierOptionError, InvalidVerifyInputError, VerifierDependencyError } from "./errors.ts";
export { publicKeyObject, type PublicKeyObjectParameters } from "./publicKeyObject.ts";
export { verifierReasonList, verifierReasons, type VerifierReason } from "./reasons.ts";
export { staticKeyResolver, type StaticKey, type StaticKeyResolverParameters } from "./staticKeyResolver.ts";
export type {
  CreateVerifierParameters,
  KeyResolver,
  NonceMode,
  ResolvedKey,
  ResolveResult,
  Verifier,
  VerifyFailure,
  VerifyOptions,
  VerifyRequest,
  VerifyRequestHeaders,
  VerifyRequestInit,
  VerifyResult,
  VerifySuccess,
} from "./types.ts";
export { InvalidNonceStoreOptionError, memoryNonceStore, type MemoryNonceStore, type MemoryNonceStoreParameters } from "../nonces/memoryNonceStore.ts";
export type { NonceResult, NonceStore } from "../nonces/types.ts";
export { profileComponents } from "../profile/profile.ts";
