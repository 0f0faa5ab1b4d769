import { describe, expect, it } from "vitest";
import { defaultNotBefore, notBeforeTolerance } from "../../src/keys/index.ts";

describe("defaultNotBefore", () => {
  it("is the earlier clock, but never beyond the registry's tolerance behind the chain", () => {
    expect(defaultNotBefore({ chainNow: 1_000_010, wallNow: 1_000_000 })).toBe(1_000_000);
    expect(defaultNotBefore({ chainNow: 1_000_000, wallNow: 1_000_010 })).toBe(1_000_000);
    // A dev chain moved 2 hours ahead: the wall clock would be refused with NotBeforeTooEarly.
    expect(defaultNotBefore({ chainNow: 1_007_200, wallNow: 1_000_000 })).toBe(1_007_200 - notBeforeTolerance + 300);
  });
});
