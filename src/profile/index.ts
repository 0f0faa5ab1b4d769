export { derivedComponents, isComponentName, resolveComponent, structuredFieldTypes, type ResolvedComponent } from "./components.ts";
export { digestAlgorithms, parseContentDigest, serializeContentDigest, type DigestAlgorithm } from "./contentDigest.ts";
export {
  collectFields,
  normalizeAuthority,
  parseRequestTarget,
  type HttpMessage,
  type MessageHeaders,
  type ParseResult,
  type RequestTarget,
} from "./message.ts";
export {
  defaultSignatureLabel,
  maxNonceLength,
  parseKeyId,
  profileComponents,
  requiredComponents,
  type RequiredComponentsParameters,
} from "./profile.ts";
export { createSignatureBase, type CreateSignatureBaseParameters, type CreateSignatureBaseReturnType } from "./signatureBase.ts";
