import { describe, expect, it } from "vitest";
import { parseRoute } from "./useHashRoute.ts";

describe("parseRoute", () => {
  it("reads the page and its parameter from the hash", () => {
    expect(parseRoute("#/lookup/0xab")).toEqual({ page: "lookup", param: "0xab" });
    expect(parseRoute("#/governance")).toEqual({ page: "governance", param: undefined });
    expect(parseRoute("#/revoke/0x%61b")).toEqual({ page: "revoke", param: "0xab" });
    expect(parseRoute("#/owner/0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199")).toEqual({ page: "owner", param: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199" });
  });

  it("falls back to My keys", () => {
    expect(parseRoute("")).toEqual({ page: "keys", param: undefined });
    expect(parseRoute("#/nowhere/1")).toEqual({ page: "keys", param: undefined });
  });
});
