import { BaseError } from "../errors/BaseError.ts";

/** The request or the signing options cannot produce a valid signature. */
export class SignRequestError extends BaseError {
  override name = "SignRequestError";
}

/** No key in the set has a private key and a validity window containing now. */
export class NoSigningKeyError extends BaseError {
  override name = "NoSigningKeyError";
}

/** A key file's content is not a valid KeyLedger key file. */
export class InvalidKeyFileError extends BaseError {
  override name = "InvalidKeyFileError";
}

/** writeKeyFile would replace an existing file and `overwrite` was not set. */
export class KeyFileExistsError extends BaseError {
  override name = "KeyFileExistsError";
}

/** A key file holding a private key is readable or writable by group or others. */
export class InsecureKeyFileError extends BaseError {
  override name = "InsecureKeyFileError";
}

/** An encrypted key file needs a passphrase, the passphrase is wrong, or the file was altered. */
export class EncryptedKeyFileError extends BaseError {
  override name = "EncryptedKeyFileError";
}
