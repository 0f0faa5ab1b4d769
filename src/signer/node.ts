// `keyledger/signer/node`: the browser-safe signer plus key files on disk.
export * from "./index.ts";
export {
  keyDirectory,
  readKeyFile,
  setKeyFileKeyId,
  writeKeyFile,
  type KeyDirectoryParameters,
  type ReadKeyFileParameters,
  type SetKeyFileKeyIdParameters,
  type WriteKeyFileParameters,
} from "./keyFile.ts";
export { defaultScryptN, encryptedKeyFileFormat, type EncryptedPrivateKey, minPassphraseLength } from "./keyFileEncryption.ts";
