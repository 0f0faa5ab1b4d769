// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DurationField } from "./DurationField.tsx";
import { Modal } from "./Modal.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import { TextField } from "./TextField.tsx";
import { TxStatus } from "./TxStatus.tsx";

afterEach(cleanup);

const described = (element: HTMLElement) =>
  (element.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent)
    .filter(Boolean);

describe("TextField", () => {
  it("labels the input and ties hint and error to it", () => {
    render(<TextField label="Label" value="" onChange={() => {}} hint="15/64 bytes." error="Enter a label." />);
    const input = screen.getByLabelText("Label");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(described(input)).toEqual(["15/64 bytes.", "Enter a label."]);
  });

  it("is a textarea when multiline", () => {
    render(<TextField label="Raw HTTP request" multiline rows={4} value="" onChange={() => {}} />);
    expect(screen.getByLabelText("Raw HTTP request").tagName).toBe("TEXTAREA");
  });
});

describe("DurationField", () => {
  it("reports the number and the unit the user picks", () => {
    const onChange = vi.fn();
    render(<DurationField label="Lifetime" value="90" unit="days" onChange={onChange} hint="At most 365 d." />);
    fireEvent.change(screen.getByLabelText("Lifetime"), { target: { value: "12" } });
    expect(onChange).toHaveBeenLastCalledWith("12", "days");
    fireEvent.change(screen.getByLabelText("Lifetime unit"), { target: { value: "hours" } });
    expect(onChange).toHaveBeenLastCalledWith("90", "hours");
    expect(described(screen.getByLabelText("Lifetime"))).toEqual(["At most 365 d."]);
  });
});

describe("StatusBadge", () => {
  it("says the status in words, with the warnings that apply", () => {
    render(<StatusBadge status={{ status: "active", expiresSoon: true, inOverlap: true }} />);
    expect(screen.getByTestId("key-status").textContent).toBe("Active");
    expect(screen.getByText("Expires soon")).toBeDefined();
    expect(screen.getByText("Rotating out")).toBeDefined();
    cleanup();
    render(<StatusBadge status={{ status: "not-yet-valid", expiresSoon: false, inOverlap: false }} />);
    expect(screen.getByTestId("key-status").textContent).toBe("Not yet valid");
    expect(screen.queryByText("Expires soon")).toBeNull();
  });
});

describe("TxStatus", () => {
  const hash = `0x${"ab".repeat(32)}` as const;
  it("shows each stage of a transaction", () => {
    const { rerender } = render(<TxStatus state={{ status: "signing" }} action="Register key" />);
    expect(screen.getByRole("status").textContent).toBe("Confirm “Register key” in your wallet…");
    rerender(<TxStatus state={{ status: "pending", hash }} action="Register key" />);
    expect(screen.getByRole("status").textContent).toContain("pending in transaction 0xababab…ababab");
    rerender(<TxStatus state={{ status: "confirmed", hash, blockNumber: 42n }} action="Register key" confirmed={<p>Done.</p>} />);
    expect(screen.getByTestId("tx-confirmed").textContent).toContain("confirmed in block 42");
    expect(screen.getByText("Done.")).toBeDefined();
  });

  it("announces a failure with its reason", () => {
    render(<TxStatus state={{ status: "failed", error: { title: "You rejected the request in your wallet.", detail: "Nothing was sent.", code: "user-rejected" } }} action="Revoke key" />);
    const alert = screen.getByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("user-rejected");
    expect(alert.textContent).toBe("You rejected the request in your wallet.Nothing was sent.");
  });
});

describe("Modal", () => {
  it("opens as a dialog with a title and closes from its close button", () => {
    const onClose = vi.fn();
    render(
      <Modal id="m" open title="Revoke this key?" onClose={onClose}>
        <p>This cannot be undone.</p>
      </Modal>,
    );
    const dialog = screen.getByRole("dialog", { name: "Revoke this key?" });
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(screen.getByText("This cannot be undone.")).toBeDefined();
    fireEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(onClose).toHaveBeenCalled();
  });
});
