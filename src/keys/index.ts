export { algorithmFromChain, algorithms, algorithmToChain, isAlgorithm, UnsupportedAlgorithmError, type Algorithm } from "./algorithms.ts";
export { bindKeyId, type BindKeyIdParameters, computeKeyId, type ComputeKeyIdParameters, keyIdOwner } from "./computeKeyId.ts";
export { defaultNotBefore, type DefaultNotBeforeParameters, maxNotBeforeDelay, notBeforeTolerance } from "./defaultNotBefore.ts";
export {
  ed25519PublicKeyProblem,
  type Ed25519PublicKeyProblemParameters,
  type Ed25519PublicKeyProblemReturnType,
} from "./ed25519PublicKeyProblem.ts";
export { assertLabel, generateKey, type GenerateKeyParameters } from "./generateKey.ts";
export { algorithmOfJwk, base64UrlToBytes, bytesToBase64Url, InvalidKeyError } from "./jwk.ts";
export {
  proofOfPossessionMessage,
  signProofOfPossession,
  type ProofOfPossessionMessageParameters,
  type SignProofOfPossessionParameters,
} from "./proofOfPossession.ts";
export { publicKeyToRaw, type PublicKeyToRawParameters, type PublicKeyToRawReturnType } from "./publicKeyToRaw.ts";
export { signBytes, type SignBytesParameters } from "./signBytes.ts";
export type { Jwk, KeyFile } from "./types.ts";
