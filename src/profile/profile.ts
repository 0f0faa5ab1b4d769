import type { Hex } from "viem";

/**
 * Components the KeyLedger profile requires by default. "@query" is required only
 * when the URL has a non-empty query, "content-digest" only when the request has a
 * body; every other entry always.
 */
export const profileComponents = ["@method", "@authority", "@path", "@query", "content-digest"] as const;

/** Default signature label the signer writes. The verifier accepts any label. */
export const defaultSignatureLabel = "sig";

/** Longest nonce accepted (characters). */
export const maxNonceLength = 128;

const lowerKeyIdPattern = /^0x[0-9a-f]{64}$/;
const keyIdPattern = /^0x[0-9a-fA-F]{64}$/;

/** The keyid parameter as a lowercase 0x-hex key id, or undefined when it is not one. */
export function parseKeyId(value: unknown): Hex | undefined {
  if (typeof value !== "string") return undefined;
  if (lowerKeyIdPattern.test(value)) return value as Hex;
  return keyIdPattern.test(value) ? (value.toLowerCase() as Hex) : undefined;
}

export type RequiredComponentsParameters = {
  required: readonly string[];
  hasQuery: boolean;
  hasBody: boolean;
};

/** The components a given request must cover, applying the conditional entries. */
export function requiredComponents({ required, hasQuery, hasBody }: RequiredComponentsParameters): string[] {
  return required.filter((name) => (name === "@query" ? hasQuery : name === "content-digest" ? hasBody : true));
}
