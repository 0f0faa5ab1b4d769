import { existsSync } from "node:fs";
import { BaseError } from "../../errors/BaseError.ts";
import { algorithms, generateKey, isAlgorithm } from "../../keys/index.ts";
import { KeyFileExistsError, writeKeyFile } from "../../signer/node.ts";
import { CliError, usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";
import { passphraseEnv, passphraseForWriting } from "../keyPassphrase.ts";

export const keygen: Command = {
  name: "keygen",
  summary: "generate an API signing key pair into a key file (mode 0600, private key encrypted)",
  usage: ["keygen --label <label> --out <file> [--alg <alg>] [--public-out <file>] [--plaintext] [--force]"],
  description: [
    "Prints the key id, never the private key. The key file (JSON: keyId, alg, label,",
    "publicKey as JWK, the private JWK encrypted with scrypt + AES-256-GCM) is what",
    "`register`, `rotate`, `request` and `agent` take; they ask for the passphrase (or read",
    `$${passphraseEnv}). --plaintext stores the private JWK unencrypted (still 0600).`,
  ],
  options: {
    alg: { type: "string", value: "<alg>", description: `${algorithms.join(" | ")} (default ed25519)` },
    label: { type: "string", value: "<label>", description: "what the key is for, 1..64 bytes (e.g. trading-bot)" },
    out: { type: "string", value: "<file>", description: "key file to write (mode 0600)" },
    "public-out": { type: "string", value: "<file>", description: "also write a public-only copy (for `verify --key`, or to share)" },
    force: { type: "boolean", description: "replace existing files" },
    plaintext: { type: "boolean", description: `store the private key unencrypted (default: encrypted under $${passphraseEnv} or a prompted passphrase)` },
  },
  groups: [],
  maxPositionals: 0,
  examples: ["keyledger keygen --label trading-bot --out bot.key.json", "keyledger keygen --alg ecdsa-secp256k1-sha256 --label evm-bot --out evm.key.json --json"],
  async run({ values, out }) {
    const label = requireString(values, "label", "keygen");
    const path = requireString(values, "out", "keygen");
    const alg = typeof values.alg === "string" ? values.alg : "ed25519";
    if (!isAlgorithm(alg)) throw usageError(`keygen: unknown --alg "${alg}".`, [`Use one of: ${algorithms.join(", ")}.`]);
    const overwrite = values.force === true;
    let key: Awaited<ReturnType<typeof generateKey>>;
    try {
      key = await generateKey({ alg, label });
    } catch (error) {
      throw usageError(`keygen: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
    }
    const publicOut = typeof values["public-out"] === "string" ? values["public-out"] : undefined;
    // Checked up front so that a refused public copy never leaves a lone private file behind.
    const taken = [path, publicOut].find((p) => p !== undefined && !overwrite && existsSync(p));
    if (taken) throw new CliError(`Key file ${taken} already exists; pass --force to replace it.`, { exitCode: exitCodes.keyFile, code: "exists" });
    const passphrase = values.plaintext === true ? undefined : await passphraseForWriting(path);
    try {
      writeKeyFile({ path, key, overwrite, passphrase });
      if (publicOut) writeKeyFile({ path: publicOut, key: { ...key, privateKey: undefined }, overwrite });
    } catch (error) {
      const exists = error instanceof KeyFileExistsError;
      throw new CliError(
        exists ? `${error.shortMessage.replace(/\.$/, "")}; pass --force to replace it.` : `Cannot write the key file: ${(error as Error).message}`,
        { exitCode: exitCodes.keyFile, code: exists ? "exists" : "key-file" },
      );
    }
    out.result(
      [
        `${key.keyId}`,
        `  alg    ${key.alg}`,
        `  label  ${label}`,
        `  file   ${path} (0600, ${passphrase === undefined ? "private key NOT encrypted" : "private key encrypted"})`,
        ...(publicOut ? [`  public ${publicOut}`] : []),
        `  id     owner-free until registered; \`keyledger register\` writes the registry id (your address first) into the file`,
      ],
      { keyId: key.keyId, alg: key.alg, label, path, encrypted: passphrase !== undefined, ...(publicOut ? { publicPath: publicOut } : {}) },
    );
    return exitCodes.ok;
  },
};
