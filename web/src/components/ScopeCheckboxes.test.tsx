// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScopeCheckboxes } from "./ScopeCheckboxes.tsx";

afterEach(cleanup);

const names = ["read", "trade", "withdraw", "admin", "", "", "", ""];

describe("ScopeCheckboxes", () => {
  it("offers only the scopes the policy allows, by name", () => {
    render(<ScopeCheckboxes value={0b01} onChange={() => {}} allowedScopes={0b1011} names={names} />);
    expect(screen.getAllByRole("checkbox").map((c) => c.parentElement?.textContent)).toEqual(["read", "trade", "admin"]);
    expect(screen.getByRole("checkbox", { name: "read" })).toHaveProperty("checked", true);
    expect(screen.getByRole("checkbox", { name: "trade" })).toHaveProperty("checked", false);
  });

  it("reports the new mask when a scope is ticked or cleared", () => {
    const onChange = vi.fn();
    render(<ScopeCheckboxes value={0b0001} onChange={onChange} allowedScopes={0b1111} names={names} />);
    fireEvent.click(screen.getByRole("checkbox", { name: "withdraw" }));
    expect(onChange).toHaveBeenLastCalledWith(0b0101);
    fireEvent.click(screen.getByRole("checkbox", { name: "read" }));
    expect(onChange).toHaveBeenLastCalledWith(0b0000);
  });

  it("names unnamed bits and wires the error to the group", () => {
    render(<ScopeCheckboxes value={0} onChange={() => {}} allowedScopes={0b100000} names={names} error="Choose at least one scope." />);
    expect(screen.getByRole("checkbox", { name: "bit 5" })).toBeDefined();
    const group = screen.getByRole("group", { name: "Scopes" });
    expect(group.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(group.getAttribute("aria-describedby")!)?.textContent).toBe("Choose at least one scope.");
  });
});
