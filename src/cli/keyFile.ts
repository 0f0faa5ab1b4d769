import { BaseError } from "../errors/BaseError.ts";
import type { KeyFile } from "../keys/index.ts";
import { readKeyFile } from "../signer/node.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";

/** Reads a key file with the signer's reader (0600 enforced for private keys); problems exit 5. */
export function loadKeyFile({ path, needPrivateKey }: { path: string; needPrivateKey: boolean }): KeyFile {
  let key: KeyFile;
  try {
    key = readKeyFile({ path });
  } catch (error) {
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
