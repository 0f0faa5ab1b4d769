export { createSignedFetch, type CreateSignedFetchParameters, type SignedFetch } from "./createSignedFetch.ts";
export { EncryptedKeyFileError, InsecureKeyFileError, InvalidKeyFileError, KeyFileExistsError, NoSigningKeyError, SignRequestError } from "./errors.ts";
export { decryptKeyFile, type DecryptKeyFileParameters, isEncryptedKeyFile } from "./decryptKeyFile.ts";
export { selectSigningKey, type SelectSigningKeyParameters } from "./selectSigningKey.ts";
export { signRequest, type SignableRequest, type SignRequestParameters, type SignRequestReturnType } from "./signRequest.ts";
export { validateKeyFile } from "./validateKeyFile.ts";
export { generateKey, signProofOfPossession, type GenerateKeyParameters, type KeyFile, type Jwk } from "../keys/index.ts";
