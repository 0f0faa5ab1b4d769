import { BaseError } from "../errors/BaseError.ts";
import type { KeyFile } from "../keys/index.ts";
import { EncryptedKeyFileError, readKeyFile } from "../signer/node.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";
import { passphraseForReading } from "./keyPassphrase.ts";

/**
 * Reads a key file with the signer's reader (0600 enforced for private keys); an
 * encrypted one is decrypted with $KEYLEDGER_KEY_PASSPHRASE or a prompt, only when
 * the command needs its private key. Problems exit 5.
 */
export async function loadKeyFile({ path, needPrivateKey }: { path: string; needPrivateKey: boolean }): Promise<KeyFile> {
  let key: KeyFile;
  try {
    try {
      key = readKeyFile({ path, publicOnly: !needPrivateKey });
    } catch (error) {
      if (!(error instanceof EncryptedKeyFileError)) throw error;
      key = readKeyFile({ path, passphrase: await passphraseForReading(path) });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof BaseError ? error.shortMessage : code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliError(`Cannot use key file ${path}: ${message}`, {
      exitCode: exitCodes.keyFile,
      code: "key-file",
      metaMessages: error instanceof BaseError ? error.metaMessages : undefined,
    });
  }
  if (needPrivateKey && !key.privateKey) {
    throw new CliError(`Key file ${path} holds only a public key; this command needs the private key.`, { exitCode: exitCodes.keyFile, code: "key-file" });
  }
  return key;
}
