// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExecuteButton } from "./ProposalCard.tsx";

afterEach(cleanup);

describe("ExecuteButton", () => {
  it("is disabled before the timelock ETA and says how long is left; enabled from the ETA on", () => {
    const onExecute = vi.fn();
    const { rerender } = render(<ExecuteButton now={1_000} eta={1_001} busy={false} onExecute={onExecute} />);
    const button = screen.getByRole("button", { name: "Execute" });
    expect(button).toHaveProperty("disabled", true);
    expect(screen.getByTestId("execute-wait").textContent).toBe("The timelock ends in 1 s: execution opens then.");
    expect(button.getAttribute("aria-describedby")).toBe(screen.getByTestId("execute-wait").id);
    fireEvent.click(button);
    expect(onExecute).not.toHaveBeenCalled();

    rerender(<ExecuteButton now={1_001} eta={1_001} busy={false} onExecute={onExecute} />);
    expect(screen.getByRole("button", { name: "Execute" })).toHaveProperty("disabled", false);
    expect(screen.queryByTestId("execute-wait")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Execute" }));
    expect(onExecute).toHaveBeenCalledOnce();

    rerender(<ExecuteButton now={1_002} eta={1_001} busy={true} onExecute={onExecute} />);
    expect(screen.getByRole("button", { name: "Execute" })).toHaveProperty("disabled", true);
  });
});
