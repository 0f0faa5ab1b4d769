import type { Hex } from "viem";
import type { Jwk, KeyFile } from "../../../src/keys/types.ts";
import { isEncryptedKeyFile } from "../../../src/signer/decryptKeyFile.ts";
import { parseKeyInput } from "./parseKeyInput.ts";

export type ReadKeyTextReturnType =
  | { kind: "key"; key: KeyFile }
  | { kind: "encrypted"; file: unknown; keyId: Hex; publicKey: Jwk }
  | { kind: "error"; message: string };

/**
 * A pasted or loaded key file (or private JWK) for signing: its private key, or an
 * encrypted file still to unlock. The key id is recomputed from the public key.
 */
export function readKeyText(text: string): ReadKeyTextReturnType {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "error", message: "This is not JSON. Load or paste a key file." };
  }
  if (isEncryptedKeyFile(json)) {
    // Only the public part is parsed here; the private part waits for its passphrase.
    const { encryptedPrivateKey: _, ...publicPart } = json as Record<string, unknown>;
    const parsed = parseKeyInput(JSON.stringify(publicPart), "");
    return parsed.ok ? { kind: "encrypted", file: json, keyId: parsed.keyId, publicKey: parsed.key.publicKey } : { kind: "error", message: parsed.message };
  }
  const parsed = parseKeyInput(text, "");
  if (!parsed.ok) return { kind: "error", message: parsed.message };
  if (!parsed.hasPrivateKey) return { kind: "error", message: "This key has no private key, so it cannot sign: load the key file itself." };
  return { kind: "key", key: parsed.key };
}
