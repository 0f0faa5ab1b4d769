// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RecentTransactionsList } from "./RecentTransactions.tsx";
import { describeAction, recordTransaction } from "./recentTransactions.ts";

afterEach(cleanup);

const alice = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const bob = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

describe("recent transactions", () => {
  it("belong to the account that sent them, newest first, with a copyable hash", async () => {
    recordTransaction(31337, alice, { hash: hash(1), action: describeAction("delegate") });
    recordTransaction(31337, alice, { hash: hash(2), action: describeAction("castVote") });
    recordTransaction(31337, bob, { hash: hash(3), action: describeAction("register") });
    const { rerender } = render(<RecentTransactionsList chainId={31337} address={alice} />);
    const items = () => [...document.querySelectorAll(".recent-transactions li")].map((li) => li.textContent);
    expect(screen.getByText(/Recent transactions of 0xf39F/)).toBeDefined();
    expect(items()).toEqual([expect.stringContaining("Vote"), expect.stringContaining("Delegate votes")]);
    expect(items().join()).not.toContain("Register key");

    // A receipt updates the entry in place.
    act(() => recordTransaction(31337, alice, { hash: hash(2), status: "confirmed", blockNumber: "42" }));
    expect(items()[0]).toMatch(/confirmed.*block 42/);

    rerender(<RecentTransactionsList chainId={31337} address={bob} />);
    expect(items()).toEqual([expect.stringContaining("Register key")]);
    rerender(<RecentTransactionsList chainId={1} address={bob} />);
    expect(document.querySelector(".recent-transactions")).toBeNull();
    rerender(<RecentTransactionsList chainId={31337} address={undefined} />);
    expect(document.querySelector(".recent-transactions")).toBeNull();

    rerender(<RecentTransactionsList chainId={31337} address={bob} />);
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    fireEvent.click(screen.getByRole("button", { name: "Copy hash of Register key" }));
    expect(writeText).toHaveBeenCalledWith(hash(3));
    expect(await screen.findByText("Copied")).toBeDefined();
    // Kept for the tab: sessionStorage, per chain and account.
    expect(JSON.parse(sessionStorage.getItem(`keyledger:transactions:31337:${bob.toLowerCase()}`)!)).toHaveLength(1);
  });
});
