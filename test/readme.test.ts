// Keeps the docs true where they quote the code: the verifier's reasons (docs/verifier.md)
// and the committed gas snapshot (README).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifierReasons } from "../src/verifier/index.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const verifierDoc = readFileSync(new URL("../docs/verifier.md", import.meta.url), "utf8");

describe("README", () => {
  it("docs/verifier.md lists every verifier reason with its HTTP status", () => {
    for (const [reason, { status }] of Object.entries(verifierReasons)) {
      expect(verifierDoc).toMatch(new RegExp(`\\| \`${reason}\` \\| ${status} \\|`));
    }
  });

  it("quotes the committed gas snapshot", () => {
    const snapshot = JSON.parse(readFileSync(new URL("gas-snapshot.json", import.meta.url), "utf8")) as Record<string, number>;
    const table = readme.slice(readme.indexOf("<!-- gas-table:start -->"), readme.indexOf("<!-- gas-table:end -->"));
    for (const [operation, gas] of Object.entries(snapshot)) {
      expect(table, `README gas table lacks ${operation} = ${gas}`).toContain(gas.toLocaleString("en-US"));
    }
  });
});
