import { readFileSync } from "node:fs";
import { minPassphraseLength } from "../signer/node.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";
import { readSecret } from "./readSecret.ts";

export const passphraseEnv = "KEYLEDGER_KEY_PASSPHRASE";
/** A file descriptor to read the passphrase from (its first line), e.g. `3< passphrase.txt` or a pipe. */
export const passphraseFdEnv = "KEYLEDGER_KEY_PASSPHRASE_FD";

let fromFd: string | undefined;

/** The passphrase from $KEYLEDGER_KEY_PASSPHRASE, else from $KEYLEDGER_KEY_PASSPHRASE_FD (read once), else undefined. */
function passphraseFromEnvironment(): string | undefined {
  const fromEnv = process.env[passphraseEnv];
  if (fromEnv) return fromEnv;
  const fdText = process.env[passphraseFdEnv];
  if (fdText === undefined || fdText === "") return undefined;
  if (fromFd !== undefined) return fromFd;
  if (!/^\d{1,4}$/.test(fdText)) throw keyFileError(`${passphraseFdEnv} must be a file descriptor number, got "${fdText}".`);
  let text: string;
  try {
    text = readFileSync(Number(fdText), "utf8");
  } catch (error) {
    throw keyFileError(`Cannot read the key passphrase from file descriptor ${fdText}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  if (line === "") throw keyFileError(`File descriptor ${fdText} (${passphraseFdEnv}) gave an empty passphrase.`);
  fromFd = line;
  return line;
}

function keyFileError(message: string, metaMessages?: string[]): CliError {
  return new CliError(message, { exitCode: exitCodes.keyFile, code: "key-file", metaMessages });
}

/**
 * The passphrase of an encrypted key file: $KEYLEDGER_KEY_PASSPHRASE, else the first line
 * of file descriptor $KEYLEDGER_KEY_PASSPHRASE_FD, else a prompt (never an argument).
 */
export async function passphraseForReading(path: string): Promise<string> {
  const fromEnv = passphraseFromEnvironment();
  if (fromEnv) return fromEnv;
  const typed = await readSecret(`Passphrase for ${path}: `);
  if (typed === undefined) throw keyFileError(`Key file ${path} is encrypted and there is no terminal to ask for its passphrase.`, [`Set ${passphraseEnv}, or ${passphraseFdEnv} to a file descriptor holding it.`]);
  return typed;
}

/** A new key file's passphrase: $KEYLEDGER_KEY_PASSPHRASE or $KEYLEDGER_KEY_PASSPHRASE_FD, else typed twice at a prompt. */
export async function passphraseForWriting(path: string): Promise<string> {
  const fromEnv = passphraseFromEnvironment();
  const check = (value: string) => {
    if ([...value].length < minPassphraseLength) throw keyFileError(`The passphrase for ${path} must have at least ${minPassphraseLength} characters.`);
    return value;
  };
  if (fromEnv) return check(fromEnv);
  const first = await readSecret(`New passphrase for ${path}: `);
  if (first === undefined) {
    throw keyFileError(`Key files are encrypted by default and there is no terminal to ask for a passphrase.`, [
      `Set ${passphraseEnv} (or ${passphraseFdEnv} to a file descriptor holding it), or pass --plaintext to store the private key unencrypted (0600).`,
    ]);
  }
  check(first);
  const again = await readSecret("Repeat it: ");
  if (again !== first) throw keyFileError("The passphrases do not match.");
  return first;
}
