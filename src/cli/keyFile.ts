import { BaseError } from "../errors/BaseError.ts";
import type { KeyFile } from "../keys/index.ts";
import { readKeyFile } from "../signer/index.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";

/** Reads a key file with the signer's reader and reports problems as key-file errors (exit 5). */
export function loadKeyFile({ path, needPrivateKey }: { path: string; needPrivateKey: boolean }): KeyFile {
  let key: KeyFile;
  try {
    key = readKeyFile({ path });
  } catch (error) {
    const message = error instanceof BaseError ? error.shortMessage : (error as Error).message;
    throw new CliError(`Cannot use key file ${path}: ${message}`, { exitCode: exitCodes.keyFile, code: "key-file" });
  }
  if (needPrivateKey && !key.privateKey) {
    throw new CliError(`Key file ${path} holds only a public key; this command needs the private key.`, {
      exitCode: exitCodes.keyFile,
      code: "key-file",
    });
  }
  return key;
}
