import { describe, expect, it } from "vitest";
import { toSeconds } from "./durationUnits.ts";
import { parseKeyId } from "./parseKeyId.ts";
import { validateDuration } from "./validateDuration.ts";
import { validateLabel } from "./validateLabel.ts";
import { validateScopes } from "./validateScopes.ts";

describe("validateLabel", () => {
  it("accepts 1..64 bytes of UTF-8 and counts bytes, not characters", () => {
    expect(validateLabel("trading bot")).toEqual({ ok: true, bytes: 11 });
    expect(validateLabel("a".repeat(64))).toEqual({ ok: true, bytes: 64 });
    // 16 four-byte emoji are 64 bytes; one more character is over.
    expect(validateLabel("🔑".repeat(16))).toEqual({ ok: true, bytes: 64 });
    expect(validateLabel(`${"🔑".repeat(16)}x`)).toMatchObject({ ok: false, bytes: 65 });
    expect(validateLabel("é".repeat(33))).toMatchObject({ ok: false, bytes: 66, message: expect.stringContaining("66 bytes") });
  });

  it("refuses an empty or blank label", () => {
    expect(validateLabel("")).toMatchObject({ ok: false, bytes: 0 });
    expect(validateLabel("   ")).toMatchObject({ ok: false, message: expect.stringContaining("Enter a label") });
  });
});

describe("validateScopes", () => {
  const names = ["read", "trade", "withdraw", "admin"];
  it("needs at least one scope, all allowed by policy", () => {
    expect(validateScopes({ scopes: 0b0011, allowedScopes: 0b1111, names })).toEqual({ ok: true });
    expect(validateScopes({ scopes: 0, allowedScopes: 0b1111, names })).toMatchObject({ ok: false, message: expect.stringContaining("at least one") });
    expect(validateScopes({ scopes: 0b1101, allowedScopes: 0b0011, names })).toEqual({
      ok: false,
      message: "The DAO's policy does not allow withdraw, admin.",
    });
  });
});

describe("validateDuration", () => {
  it("bounds a lifetime by the policy", () => {
    expect(validateDuration({ seconds: 90 * 86_400, max: 365 * 86_400, name: "lifetime" })).toEqual({ ok: true });
    expect(validateDuration({ seconds: 365 * 86_400, max: 365 * 86_400, name: "lifetime" })).toEqual({ ok: true });
    expect(validateDuration({ seconds: 366 * 86_400, max: 365 * 86_400, name: "lifetime" })).toEqual({
      ok: false,
      message: "The lifetime of 366 d is longer than the DAO's maximum of 365 d.",
    });
    expect(validateDuration({ seconds: 0, max: 100, name: "lifetime" })).toMatchObject({ ok: false, message: "The lifetime must be longer than zero." });
    expect(validateDuration({ seconds: Number.NaN, max: 100, name: "lifetime" })).toMatchObject({ ok: false });
  });

  it("allows a zero overlap (the old key stops at once)", () => {
    expect(validateDuration({ seconds: 0, max: 100, name: "overlap", allowZero: true })).toEqual({ ok: true });
    expect(validateDuration({ seconds: -1, max: 100, name: "overlap", allowZero: true })).toMatchObject({ ok: false });
  });
});

describe("toSeconds", () => {
  it("reads plain decimals in a unit", () => {
    expect(toSeconds("90", "days")).toBe(90 * 86_400);
    expect(toSeconds(" 1.5 ", "hours")).toBe(5_400);
    expect(toSeconds("10", "minutes")).toBe(600);
  });

  it("refuses anything else", () => {
    for (const text of ["", "-1", "1e3", "ten", "0x10", "1,5"]) expect(toSeconds(text, "days")).toBeNaN();
  });
});

describe("parseKeyId", () => {
  const id = "0xfe54e83cd5a90e65264a5ff4a370d6f3e9e9fff33070b330331ce05638ba848a";
  it("normalizes pasted ids", () => {
    expect(parseKeyId(id)).toBe(id);
    expect(parseKeyId(`  ${id.toUpperCase().replace("0X", "0x")}\n`)).toBe(id);
    expect(parseKeyId(id.slice(2))).toBe(id);
  });

  it("refuses ids of the wrong length or alphabet", () => {
    expect(parseKeyId(id.slice(0, -1))).toBeNull();
    expect(parseKeyId(`${id}00`)).toBeNull();
    expect(parseKeyId(id.replace("f", "g"))).toBeNull();
  });
});
