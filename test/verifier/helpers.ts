import { createHash } from "node:crypto";
import type { Item } from "structured-headers";
import { serializeDictionary } from "structured-headers";
import { generateKey, type KeyFile, signBytes } from "../../src/keys/index.ts";
import { collectFields, createSignatureBase, parseRequestTarget } from "../../src/profile/index.ts";
import { createVerifier, type CreateVerifierParameters, type StaticKey, staticKeyResolver } from "../../src/verifier/index.ts";

/** 2026-01-01T00:00:00Z: every test runs on this fixed clock. */
export const T = 1_767_225_600;
export const NOW = T * 1000;

export type Plain = { method: string; url: string; headers: Record<string, string>; body?: string };

export async function keyOf(alg: KeyFile["alg"] = "ed25519", label = "bot"): Promise<KeyFile> {
  return generateKey({ alg, label });
}

export function verifierFor(
  keys: Record<string, { key: KeyFile } & Omit<StaticKey, "alg" | "publicKey">>,
  options: Partial<CreateVerifierParameters> = {},
) {
  const entries: Record<string, StaticKey> = {};
  for (const [, { key, ...rest }] of Object.entries(keys)) entries[key.keyId] = { alg: key.alg, publicKey: key.publicKey, ...rest };
  return createVerifier({ keys: staticKeyResolver(entries), now: () => NOW, ...options });
}

export type SignCustomParameters = {
  key: KeyFile;
  request: Plain;
  components: (string | Item)[];
  params: [string, string | number][];
  label?: string;
  /** Extra Signature-Input / Signature members placed before ours. */
  before?: { input: string; signature: string };
};

/**
 * Signs exactly the given components and parameters (no profile defaults), for
 * requests the SDK would never produce: no nonce, foreign alg, odd coverage.
 */
export async function signCustom({ key, request, components, params, label = "sig", before }: SignCustomParameters): Promise<Plain> {
  const items: Item[] = components.map((c) => (typeof c === "string" ? [c, new Map()] : c));
  const parameters = new Map(params);
  const target = parseRequestTarget(request.url);
  const fields = collectFields(request.headers);
  if (!target.ok || !fields.ok) throw new Error("bad test request");
  const built = createSignatureBase({ message: { method: request.method, ...target.value, fields: fields.value }, components: items, parameters });
  if (!built.ok) throw new Error(built.error);
  const signature = await signBytes({ privateKey: key.privateKey!, data: new TextEncoder().encode(built.value.base) });
  const input = serializeDictionary(new Map([[label, [items, parameters]]]));
  const sig = serializeDictionary(new Map([[label, [signature as Uint8Array<ArrayBuffer>, new Map()]]]));
  return {
    ...request,
    headers: {
      ...request.headers,
      "signature-input": before ? `${before.input}, ${input}` : input,
      signature: before ? `${before.signature}, ${sig}` : sig,
    },
  };
}

export function sha256Digest(body: string): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}
