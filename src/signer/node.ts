// `keyledger/signer/node`: the browser-safe signer plus key files on disk.
export * from "./index.ts";
export {
  keyDirectory,
  readKeyFile,
  writeKeyFile,
  type KeyDirectoryParameters,
  type ReadKeyFileParameters,
  type WriteKeyFileParameters,
} from "./keyFile.ts";
export { defaultScryptN, encryptedKeyFileFormat, type EncryptedPrivateKey, minPassphraseLength } from "./keyFileEncryption.ts";
