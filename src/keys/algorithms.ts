import { BaseError } from "../errors/BaseError.ts";

/** Signature algorithms of the KeyLedger profile, by their RFC 9421 `alg` names. */
export const algorithms = ["ed25519", "ecdsa-p256-sha256", "ecdsa-secp256k1-sha256"] as const;
export type Algorithm = (typeof algorithms)[number];

/** `IKeyRegistry.Algorithm` enum values. */
const chainIds: Record<Algorithm, number> = {
  ed25519: 1,
  "ecdsa-p256-sha256": 2,
  "ecdsa-secp256k1-sha256": 3,
};

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === "string" && (algorithms as readonly string[]).includes(value);
}

export function algorithmToChain(alg: Algorithm): number {
  const id = chainIds[alg];
  if (id === undefined) throw new UnsupportedAlgorithmError({ alg });
  return id;
}

export function algorithmFromChain(id: number): Algorithm {
  const alg = algorithms[id - 1];
  if (!alg) throw new UnsupportedAlgorithmError({ alg: `chain enum ${id}` });
  return alg;
}

export class UnsupportedAlgorithmError extends BaseError {
  override name = "UnsupportedAlgorithmError";
  constructor({ alg }: { alg: string }) {
    super(`Unsupported algorithm "${alg}".`, { metaMessages: [`Supported: ${algorithms.join(", ")}.`] });
  }
}
