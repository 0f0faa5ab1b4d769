import type { Hex } from "viem";

/** `keyledger-<label>-<keyId prefix>.json`, safe on every file system. */
export function keyFileName(label: string, keyId: Hex): string {
  const slug = label
    .normalize("NFKD")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `keyledger-${slug || "key"}-${keyId.slice(2, 10)}.json`;
}
