// `keyledger/signer` must run in browsers: nothing it imports, transitively, may
// be a node: builtin (key files on disk live in `keyledger/signer/node`).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

describe("keyledger/signer is browser-safe", () => {
  it("imports no node: builtin, directly or transitively", () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of imports(file)) {
        if (specifier.startsWith("node:")) offenders.push(`${file.slice(root.length + 1)} -> ${specifier}`);
        else if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      }
    };
    visit(resolve(root, "src/signer/index.ts"));
    expect(offenders).toEqual([]);
    expect(seen.has(resolve(root, "src/profile/signatureBase.ts"))).toBe(true);
  });
});
