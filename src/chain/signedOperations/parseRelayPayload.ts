import { type Address, type Hex, isAddress } from "viem";
import { type RegistryOperation, type RegistryOperationName, registryOperationNames, type RelayPayload, type SignedNewKey } from "./types.ts";

/** Why a relay payload is refused before anything touches the chain (the relayer's 400 codes). */
export type RelayPayloadProblem = "invalid-body" | "unknown-operation" | "missing-field" | "invalid-field" | "unknown-field";

export type ParseRelayPayloadReturnType =
  | { ok: true; payload: RelayPayload }
  | { ok: false; error: RelayPayloadProblem; message: string; field?: string | undefined };

/** Largest signature accepted: room for a Safe's threshold of owner signatures, not for arbitrary calldata. */
export const maxRelaySignatureBytes = 2_048;
/** Largest revocation reason relayed (the registry takes any length; the relayer pays its calldata). */
export const maxRelayReasonBytes = 256;

const common = ["operation", "owner", "deadline", "signature", "chainId", "registry", "nonce"] as const;
const fieldsOf: Record<RegistryOperationName, readonly string[]> = {
  register: ["key", "label"],
  rotate: ["oldKeyId", "key", "overlap"],
  revoke: ["keyId", "reason"],
  extendOverlap: ["keyId", "expiresAt"],
  setRotator: ["rotator"],
};
const keyFields = ["algorithm", "publicKey", "scopes", "notBefore", "expiresAt", "proof"] as const;
const uint256Max = 2n ** 256n - 1n;
const utf8 = new TextEncoder();

class Problem extends Error {
  readonly error: RelayPayloadProblem;
  readonly field: string | undefined;
  constructor(error: RelayPayloadProblem, field: string | undefined, message: string) {
    super(message);
    this.error = error;
    this.field = field;
  }
}

/**
 * Strictly validates a relay payload (the JSON `POST /v1/relay` takes, `signRegistryOperation`
 * makes): the operation is known, every field it needs is present with the right type and
 * range, and no other field is there. Semantics (policy, key state, the signature itself)
 * are the registry's to judge. Browser-safe.
 */
export function parseRelayPayload(value: unknown): ParseRelayPayloadReturnType {
  try {
    return { ok: true, payload: parse(value) };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    return { ok: false, error: error.error, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
}

function parse(value: unknown): RelayPayload {
  if (!isObject(value)) throw new Problem("invalid-body", undefined, "the body must be a JSON object");
  const name = value.operation;
  if (name === undefined) throw new Problem("missing-field", "operation", `operation is required (one of ${registryOperationNames.join(", ")})`);
  if (typeof name !== "string" || !(registryOperationNames as readonly string[]).includes(name)) {
    throw new Problem("unknown-operation", "operation", `operation must be one of ${registryOperationNames.join(", ")}`);
  }
  const operation = name as RegistryOperationName;
  const allowed = new Set<string>([...common, ...fieldsOf[operation]]);
  const unknown = Object.keys(value).filter((k) => !allowed.has(k));
  if (unknown.length) throw new Problem("unknown-field", unknown[0], `unknown field(s) for ${operation}: ${unknown.join(", ")}`);

  const base = {
    owner: address(value, "owner"),
    deadline: uint256(value, "deadline"),
    signature: hex(value, "signature", { min: 1, max: maxRelaySignatureBytes }),
    ...(value.chainId !== undefined ? { chainId: chainId(value.chainId) } : {}),
    ...(value.registry !== undefined ? { registry: address(value, "registry") } : {}),
    ...(value.nonce !== undefined ? { nonce: uint256(value, "nonce") } : {}),
  };
  let op: RegistryOperation;
  switch (operation) {
    case "register":
      op = { operation, key: newKey(value.key), label: label(value) };
      break;
    case "rotate":
      op = { operation, oldKeyId: hex(value, "oldKeyId", { min: 32, max: 32 }), key: newKey(value.key), overlap: uint(value, "overlap", 32) };
      break;
    case "revoke":
      op = { operation, keyId: hex(value, "keyId", { min: 32, max: 32 }), reason: text(value, "reason", 0, maxRelayReasonBytes) };
      break;
    case "extendOverlap":
      op = { operation, keyId: hex(value, "keyId", { min: 32, max: 32 }), expiresAt: uint(value, "expiresAt", 32) };
      break;
    case "setRotator":
      op = { operation, rotator: address(value, "rotator") };
      break;
  }
  // Field order as signRegistryOperation writes it: operation first, signature last.
  const { signature, ...rest } = base;
  return { ...op, ...rest, signature } as RelayPayload;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function present(object: Record<string, unknown>, field: string, path = field): unknown {
  const v = object[field];
  if (v === undefined || v === null) throw new Problem("missing-field", path, `${path} is required`);
  return v;
}

function address(object: Record<string, unknown>, field: string, path = field): Address {
  const v = present(object, field, path);
  if (typeof v !== "string" || !isAddress(v, { strict: true })) {
    throw new Problem("invalid-field", path, `${path} must be a 20-byte 0x address (lower case or EIP-55 checksummed)`);
  }
  return v;
}

function hex(object: Record<string, unknown>, field: string, { min, max }: { min: number; max: number }, path = field): Hex {
  const v = present(object, field, path);
  const size = min === max ? `${min} bytes` : `${min}..${max} bytes`;
  if (typeof v !== "string" || !/^0x(?:[0-9a-fA-F]{2})*$/.test(v)) throw new Problem("invalid-field", path, `${path} must be 0x-hex (${size})`);
  const bytes = (v.length - 2) / 2;
  if (bytes < min || bytes > max) throw new Problem("invalid-field", path, `${path} must be ${size}, got ${bytes}`);
  return v as Hex;
}

function uint(object: Record<string, unknown>, field: string, bits: 8 | 32, path = field): number {
  const v = present(object, field, path);
  const max = bits === 8 ? 0xff : 0xffff_ffff;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    throw new Problem("invalid-field", path, `${path} must be an integer 0..${max} (uint${bits}) as a JSON number`);
  }
  return v;
}

/** uint256 as a decimal string (or a JSON integer up to 2^53-1); normalized to the decimal string. */
function uint256(object: Record<string, unknown>, field: string): string {
  const v = present(object, field);
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === "string" && /^(0|[1-9]\d{0,77})$/.test(v) && BigInt(v) <= uint256Max) return v;
  throw new Problem("invalid-field", field, `${field} must be a non-negative integer (uint256) as a decimal string`);
}

function chainId(v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw new Problem("invalid-field", "chainId", "chainId must be a positive integer");
  return v;
}

function text(object: Record<string, unknown>, field: string, minBytes: number, maxBytes: number): string {
  const v = present(object, field);
  if (typeof v !== "string") throw new Problem("invalid-field", field, `${field} must be a string`);
  const bytes = utf8.encode(v).length;
  if (bytes < minBytes || bytes > maxBytes) throw new Problem("invalid-field", field, `${field} must be ${minBytes}..${maxBytes} bytes of UTF-8, got ${bytes}`);
  return v;
}

function label(object: Record<string, unknown>): string {
  // The registry's rule (MAX_LABEL_LENGTH): 1..64 bytes.
  return text(object, "label", 1, 64);
}

function newKey(v: unknown): SignedNewKey {
  if (v === undefined || v === null) throw new Problem("missing-field", "key", "key is required");
  if (!isObject(v)) throw new Problem("invalid-field", "key", `key must be an object with ${keyFields.join(", ")}`);
  const unknown = Object.keys(v).filter((k) => !(keyFields as readonly string[]).includes(k));
  if (unknown.length) throw new Problem("unknown-field", `key.${unknown[0]}`, `unknown field(s) in key: ${unknown.join(", ")}`);
  const algorithm = uint(v, "algorithm", 8, "key.algorithm");
  if (algorithm < 1 || algorithm > 3) {
    throw new Problem("invalid-field", "key.algorithm", "key.algorithm must be 1 (Ed25519), 2 (ECDSA P-256) or 3 (ECDSA secp256k1)");
  }
  return {
    algorithm,
    publicKey: hex(v, "publicKey", { min: 32, max: 33 }, "key.publicKey"),
    scopes: uint(v, "scopes", 8, "key.scopes"),
    notBefore: uint(v, "notBefore", 32, "key.notBefore"),
    expiresAt: uint(v, "expiresAt", 32, "key.expiresAt"),
    proof: hex(v, "proof", { min: 64, max: 64 }, "key.proof"),
  };
}
