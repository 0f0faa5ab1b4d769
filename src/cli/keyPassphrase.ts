import { minPassphraseLength } from "../signer/node.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";
import { readSecret } from "./readSecret.ts";

export const passphraseEnv = "KEYLEDGER_KEY_PASSPHRASE";

function keyFileError(message: string, metaMessages?: string[]): CliError {
  return new CliError(message, { exitCode: exitCodes.keyFile, code: "key-file", metaMessages });
}

/** The passphrase of an encrypted key file: $KEYLEDGER_KEY_PASSPHRASE, else a prompt (never an argument). */
export async function passphraseForReading(path: string): Promise<string> {
  const fromEnv = process.env[passphraseEnv];
  if (fromEnv) return fromEnv;
  const typed = await readSecret(`Passphrase for ${path}: `);
  if (typed === undefined) throw keyFileError(`Key file ${path} is encrypted and there is no terminal to ask for its passphrase.`, [`Set ${passphraseEnv}.`]);
  return typed;
}

/** A new key file's passphrase: $KEYLEDGER_KEY_PASSPHRASE, else typed twice at a prompt. */
export async function passphraseForWriting(path: string): Promise<string> {
  const fromEnv = process.env[passphraseEnv];
  const check = (value: string) => {
    if ([...value].length < minPassphraseLength) throw keyFileError(`The passphrase for ${path} must have at least ${minPassphraseLength} characters.`);
    return value;
  };
  if (fromEnv) return check(fromEnv);
  const first = await readSecret(`New passphrase for ${path}: `);
  if (first === undefined) {
    throw keyFileError(`Key files are encrypted by default and there is no terminal to ask for a passphrase.`, [
      `Set ${passphraseEnv}, or pass --plaintext to store the private key unencrypted (0600).`,
    ]);
  }
  check(first);
  const again = await readSecret("Repeat it: ");
  if (again !== first) throw keyFileError("The passphrases do not match.");
  return first;
}
