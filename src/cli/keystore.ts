import { createDecipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from "node:crypto";
import { bytesToHex, type Hex, hexToBytes, keccak256 } from "viem";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";

type KeystoreV3 = {
  version: 3;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: "scrypt" | "pbkdf2";
    kdfparams: { dklen: number; salt: string; n?: number; r?: number; p?: number; c?: number; prf?: string };
    mac: string;
  };
};

function fail(message: string): CliError {
  return new CliError(message, { exitCode: exitCodes.keyFile, code: "keystore" });
}

const hex = (value: string): Uint8Array => hexToBytes((value.startsWith("0x") ? value : `0x${value}`) as Hex);

/**
 * Decrypts a Web3 Secret Storage (v3) keystore, the format geth, Foundry's
 * `cast wallet` and ethers write, and returns the private key.
 */
export function decryptKeystore({ json, password }: { json: unknown; password: string }): Hex {
  const file = json as Partial<KeystoreV3> & { Crypto?: KeystoreV3["crypto"] };
  const c = file?.crypto ?? file?.Crypto;
  if (file?.version !== 3 || !c) throw fail("The keystore is not a version 3 JSON keystore.");
  if (c.cipher !== "aes-128-ctr") throw fail(`Unsupported keystore cipher "${c.cipher}".`);
  const p = c.kdfparams;
  const salt = hex(p.salt);
  let derived: Uint8Array;
  if (c.kdf === "scrypt" && p.n && p.r && p.p) {
    derived = scryptSync(password, salt, p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + 1_048_576 });
  } else if (c.kdf === "pbkdf2" && p.c && (p.prf ?? "hmac-sha256") === "hmac-sha256") {
    derived = pbkdf2Sync(password, salt, p.c, p.dklen, "sha256");
  } else throw fail(`Unsupported keystore key derivation "${c.kdf}".`);
  const ciphertext = hex(c.ciphertext);
  const mac = hexToBytes(keccak256(new Uint8Array([...derived.subarray(16, 32), ...ciphertext])));
  const expected = hex(c.mac);
  if (expected.length !== mac.length || !timingSafeEqual(mac, expected)) throw fail("Wrong keystore password (MAC mismatch).");
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), hex(c.cipherparams.iv));
  const key = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  if (key.length !== 32) throw fail("The keystore does not hold a 32-byte private key.");
  return bytesToHex(key);
}
