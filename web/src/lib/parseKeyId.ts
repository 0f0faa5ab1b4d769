import type { Hex } from "viem";

/** A key id as typed or pasted (whitespace, missing 0x, upper case) in canonical form, or null. */
export function parseKeyId(text: string): Hex | null {
  const trimmed = text.trim().toLowerCase();
  const hex = trimmed.startsWith("0x") ? trimmed.slice(2) : trimmed;
  return /^[0-9a-f]{64}$/.test(hex) ? `0x${hex}` : null;
}
