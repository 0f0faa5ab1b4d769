import { describe, expect, it } from "vitest";
import { formatDateTime, maxUint32 } from "./formatDateTime.ts";
import { formatDuration } from "./formatDuration.ts";
import { formatRelative } from "./formatRelative.ts";
import { scopeNames } from "./scopeNames.ts";
import { shortHex } from "./shortHex.ts";
import { verdictReason } from "./verdictReason.ts";
import { verifierReasons } from "../../../src/verifier/reasons.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [12, "12 s"],
    [60, "1 min"],
    [61, "1 min 1 s"],
    [3_600, "1 h"],
    [3_660, "1 h 1 min"],
    [3_601, "1 h"],
    [86_400, "1 d"],
    [90 * 86_400, "90 d"],
    [3 * 86_400 + 4 * 3_600 + 59, "3 d 4 h"],
    [86_400 + 59, "1 d"],
    [365 * 86_400, "365 d"],
  ])("%i s -> %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("takes bigints (uint256 values from the chain) and ignores the sign", () => {
    expect(formatDuration(7_200n)).toBe("2 h");
    expect(formatDuration(-90)).toBe("1 min 30 s");
  });
});

describe("formatRelative", () => {
  it("says in which direction a moment lies", () => {
    expect(formatRelative(1_000 + 3_600, 1_000)).toBe("in 1 h");
    expect(formatRelative(1_000, 1_000 + 90)).toBe("1 min 30 s ago");
    expect(formatRelative(5, 5)).toBe("now");
  });
});

describe("formatDateTime", () => {
  it("formats unix seconds in the given time zone, and the uint32 end as never", () => {
    expect(formatDateTime(1_795_829_235, "UTC")).toBe("28 Nov 2026, 01:27");
    expect(formatDateTime(maxUint32)).toBe("never");
  });
});

describe("shortHex", () => {
  it("keeps both ends of long values and leaves short ones alone", () => {
    expect(shortHex("0xfe54e83cd5a90e65264a5ff4a370d6f3e9e9fff33070b330331ce05638ba848a")).toBe("0xfe54…848a");
    expect(shortHex("0xfe54e83cd5a90e65264a5ff4a370d6f3e9e9fff33070b330331ce05638ba848a", 6)).toBe("0xfe54e8…ba848a");
    expect(shortHex("0x1234")).toBe("0x1234");
  });
});

describe("scopeNames", () => {
  it("lists the set bits by the DAO's names", () => {
    expect(scopeNames(0b1011, ["read", "trade", "withdraw", "admin"])).toEqual(["read", "trade", "admin"]);
    expect(scopeNames(0b10000001, ["read"])).toEqual(["read", "bit 7"]);
    expect(scopeNames(0, ["read"])).toEqual([]);
  });
});

describe("verdictReason", () => {
  it("has words for every reason the verifier can give", () => {
    for (const reason of Object.keys(verifierReasons)) expect(verdictReason(reason)).not.toMatch(/^Rejected:/);
  });

  it("still says something for a reason it does not know", () => {
    expect(verdictReason("brand-new-reason")).toBe("Rejected: brand-new-reason.");
  });
});
