import { type Address, type Hex, isHex, toHex } from "viem";
import { type Algorithm, algorithmToChain } from "../../../src/keys/algorithms.ts";
import { defaultNotBefore } from "../../../src/keys/defaultNotBefore.ts";
import { signProofOfPossession } from "../../../src/keys/proofOfPossession.ts";
import { publicKeyToRaw } from "../../../src/keys/publicKeyToRaw.ts";
import type { KeyFile } from "../../../src/keys/types.ts";

export type NewKeyValue = {
  source: "generate" | "import";
  alg: Algorithm;
  /** The generated or imported key; its private part lives only in this page's memory. */
  key: KeyFile | null;
  /** The private key file was downloaded (generated keys must be saved before use). */
  saved: boolean;
  importText: string;
  importError?: string | undefined;
  /** An encrypted key file was loaded and waits for its passphrase. */
  locked?: boolean | undefined;
  /** Proof of possession for an imported public-only key, as hex. */
  proof: string;
};

export const initialNewKey: NewKeyValue = { source: "generate", alg: "ed25519", key: null, saved: false, importText: "", proof: "" };

/** Why the key cannot be used yet, or null when it can. */
export function newKeyProblem(value: NewKeyValue, allowedAlgorithms: number): string | null {
  if (!value.key) {
    if (value.source === "generate") return "Generate the key pair first.";
    if (value.locked) return "Unlock the key file with its passphrase first.";
    return value.importError ?? "Paste or load a key.";
  }
  if ((allowedAlgorithms & (1 << algorithmToChain(value.key.alg))) === 0) return "The DAO's policy does not allow this algorithm.";
  if (value.source === "generate" && !value.saved) return "Save the private key file first: it is shown only once.";
  if (!value.key.privateKey && !(isHex(value.proof.trim()) && value.proof.trim().length === 130)) {
    return "Paste the 64-byte proof of possession made with this key.";
  }
  return null;
}

export type ChainKeyParameters = { value: NewKeyValue; chainId: number; registry: Address; owner: Address; scopes: number; notBefore: number; expiresAt: number };

/** The registry's `NewKey` tuple, with the proof of possession signed in the page when the private key is here. */
export async function toChainKey({ value, chainId, registry, owner, scopes, notBefore, expiresAt }: ChainKeyParameters) {
  const key = value.key!;
  const proof: Hex = key.privateKey ? await signProofOfPossession({ key, chainId, registry, owner }) : (value.proof.trim() as Hex);
  return {
    algorithm: algorithmToChain(key.alg),
    publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
    scopes,
    notBefore,
    expiresAt,
    proof,
  };
}

export type PrepareChainKeyParameters = Omit<ChainKeyParameters, "notBefore" | "expiresAt"> & {
  /** The chain's latest block time, in seconds. */
  chainNow: number;
  lifetimeSeconds: number;
};

/**
 * `toChainKey` valid from the earlier of chain and wall time: valid at once for on-chain checks and for
 * verifiers that use their own clock, also on a dev chain moved ahead by time travel.
 */
export function prepareChainKey({ chainNow, lifetimeSeconds, ...parameters }: PrepareChainKeyParameters) {
  const notBefore = defaultNotBefore({ chainNow });
  return toChainKey({ ...parameters, notBefore, expiresAt: notBefore + lifetimeSeconds });
}
