import { existsSync, readFileSync } from "node:fs";
import { type Hex, hexToBytes, isHex } from "viem";
import { algorithmOfJwk, computeKeyId, type Jwk, publicKeyToRaw } from "../../keys/index.ts";
import { BaseError } from "../../errors/BaseError.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";

export const keyid: Command = {
  name: "keyid",
  summary: "compute a key id (keccak256 of the raw public key) from a key file, a public JWK or raw hex",
  usage: ["keyid <keyfile | jwk-file | '<jwk json>' | 0x<raw public key hex>>"],
  description: [
    "The raw public key is 32 bytes for Ed25519 and 33 bytes (compressed SEC1) for P-256 and",
    "secp256k1, exactly what the registry hashes. A key file's stored keyId is checked too.",
  ],
  options: {},
  groups: [],
  maxPositionals: 1,
  examples: ["keyledger keyid bot.key.json", "keyledger keyid 0x8f3c...e2 --json"],
  async run({ positionals, out }) {
    const input = positionals[0];
    if (input === undefined) throw usageError("keyid: give a key file, a public JWK or a raw public key in hex.");
    let raw: Uint8Array;
    let alg: string | undefined;
    let stored: string | undefined;
    if (isHex(input) && !existsSync(input)) {
      raw = hexToBytes(input as Hex);
      if (raw.length !== 32 && raw.length !== 33) throw usageError(`keyid: a raw public key is 32 or 33 bytes, got ${raw.length}.`);
      if (raw.length === 33 && raw[0] !== 2 && raw[0] !== 3) throw usageError("keyid: a 33-byte key must start with 02 or 03 (compressed SEC1).");
      alg = raw.length === 32 ? "ed25519" : undefined;
    } else {
      let json: unknown;
      try {
        json = JSON.parse(input.trimStart().startsWith("{") ? input : readFileSync(input, "utf8"));
      } catch (error) {
        throw new CliError(`keyid: cannot read "${input}" as a key file or JWK: ${(error as Error).message}`, { exitCode: exitCodes.keyFile, code: "key-file" });
      }
      const object = json as { publicKey?: Jwk; keyId?: string; kty?: string };
      const jwk = (object.publicKey ?? object) as Jwk;
      stored = typeof object.keyId === "string" ? object.keyId : undefined;
      try {
        raw = publicKeyToRaw({ publicKey: jwk }).raw;
        alg = algorithmOfJwk(jwk);
      } catch (error) {
        throw new CliError(`keyid: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`, { exitCode: exitCodes.keyFile, code: "key-file" });
      }
    }
    const keyId = computeKeyId({ publicKey: raw });
    if (stored !== undefined && stored.toLowerCase() !== keyId) {
      throw new CliError(`keyid: the file says keyId ${stored} but its public key hashes to ${keyId}; the file was altered.`, {
        exitCode: exitCodes.keyFile,
        code: "key-file",
      });
    }
    out.result(keyId, { keyId, ...(alg ? { alg } : {}), publicKey: `0x${Buffer.from(raw).toString("hex")}` });
    return exitCodes.ok;
  },
};
