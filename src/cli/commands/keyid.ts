import { existsSync, readFileSync } from "node:fs";
import { type Address, type Hex, hexToBytes, isAddress, isHex } from "viem";
import { algorithmOfJwk, computeKeyId, type Jwk, keyIdOwner, publicKeyToRaw } from "../../keys/index.ts";
import { setKeyFileKeyId } from "../../signer/node.ts";
import { BaseError } from "../../errors/BaseError.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { exitCodes } from "../exitCodes.ts";

export const keyid: Command = {
  name: "keyid",
  summary: "compute a key id from a key file, a public JWK or raw hex (the registry id with --owner)",
  usage: ["keyid <keyfile | jwk-file | '<jwk json>' | 0x<raw public key hex>> [--owner <address> [--write]]"],
  description: [
    "Without --owner: the owner-free id keccak256(raw public key) a fresh key file carries.",
    "With --owner: the registry id that owner gets, its address followed by 12 bytes of",
    "keccak256(owner || raw key), as KeyRegistry.computeKeyId computes it. The raw public key",
    "is 32 bytes for Ed25519 and 33 bytes (compressed SEC1) for P-256 and secp256k1.",
    "A key file's stored keyId is checked too. --write records the registry id in the key file",
    "(for a key registered outside the CLI, e.g. in the dApp); an encrypted file stays encrypted.",
  ],
  options: {
    owner: { type: "string", value: "<address>", description: "the wallet that registers (or registered) the key" },
    write: { type: "boolean", description: "write the registry id into the key file (needs --owner and a key file)" },
  },
  groups: [],
  maxPositionals: 1,
  examples: ["keyledger keyid bot.key.json", "keyledger keyid bot.key.json --owner 0x7099...79C8 --write", "keyledger keyid 0x8f3c...e2 --json"],
  async run({ positionals, values, out }) {
    const owner = typeof values.owner === "string" ? values.owner : undefined;
    if (owner !== undefined && !isAddress(owner, { strict: false })) throw usageError(`keyid: --owner must be an address, got "${owner}".`);
    if (values.write && owner === undefined) throw usageError("keyid: --write needs --owner (the wallet that registered the key).");
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
    const ownerFree = computeKeyId({ publicKey: raw });
    const keyId = owner === undefined ? ownerFree : computeKeyId({ publicKey: raw, owner: owner as Address });
    // A file carries the owner-free id, or the registry id of the owner its first 20 bytes name.
    const storedOk =
      stored === undefined ||
      stored.toLowerCase() === ownerFree ||
      (/^0x[0-9a-fA-F]{64}$/.test(stored) && computeKeyId({ publicKey: raw, owner: keyIdOwner(stored as Hex) }) === stored.toLowerCase());
    if (!storedOk) {
      throw new CliError(`keyid: the file says keyId ${stored} but that id does not belong to its public key (owner-free id ${ownerFree}); the file was altered.`, {
        exitCode: exitCodes.keyFile,
        code: "key-file",
      });
    }
    if (values.write) {
      if (stored === undefined || !existsSync(input)) throw usageError("keyid: --write needs a key file path.");
      setKeyFileKeyId({ path: input, keyId });
    }
    out.result(values.write ? `${keyId} (written into ${input})` : keyId, {
      keyId,
      ...(owner !== undefined ? { owner, ownerFreeKeyId: ownerFree } : {}),
      ...(alg ? { alg } : {}),
      publicKey: `0x${Buffer.from(raw).toString("hex")}`,
      ...(values.write ? { written: input } : {}),
    });
    return exitCodes.ok;
  },
};
