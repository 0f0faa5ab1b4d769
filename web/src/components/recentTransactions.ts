import { useSyncExternalStore } from "react";
import type { Address, Hex } from "viem";

export type RecentTransaction = {
  hash: Hex;
  /** What it did, in words ("Register key", "Vote for proposal"). */
  action: string;
  status: "pending" | "confirmed" | "failed";
  /** ms since the epoch, when the wallet returned the hash. */
  at: number;
  blockNumber?: string | undefined;
};

const maxPerAccount = 20;
const storageKey = (chainId: number, account: Address) => `keyledger:transactions:${chainId}:${account.toLowerCase()}`;
const listeners = new Set<() => void>();
const cache = new Map<string, RecentTransaction[]>();
const empty: RecentTransaction[] = [];

function load(key: string): RecentTransaction[] {
  let list = cache.get(key);
  if (list) return list;
  try {
    const stored = JSON.parse(globalThis.sessionStorage?.getItem(key) ?? "[]") as unknown;
    list = Array.isArray(stored) ? (stored as RecentTransaction[]) : [];
  } catch {
    list = [];
  }
  cache.set(key, list);
  return list;
}

/**
 * Adds or updates a transaction of `account` (newest first). Each account has its
 * own list, kept for this browser tab (sessionStorage), so after an account switch
 * a page never shows another account's transactions.
 */
export function recordTransaction(chainId: number, account: Address, entry: Pick<RecentTransaction, "hash"> & Partial<RecentTransaction>): void {
  const key = storageKey(chainId, account);
  const list = load(key);
  const existing = list.find((t) => t.hash === entry.hash);
  const next = existing
    ? list.map((t) => (t.hash === entry.hash ? { ...t, ...entry } : t))
    : [{ action: "Transaction", status: "pending" as const, at: Date.now(), ...entry }, ...list].slice(0, maxPerAccount);
  cache.set(key, next);
  try {
    globalThis.sessionStorage?.setItem(key, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the list lives in memory only.
  }
  for (const listener of listeners) listener();
}

/** The recent transactions sent by `account` on `chainId` (newest first). */
export function useRecentTransactions(chainId: number, account: Address | undefined): RecentTransaction[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => (account ? load(storageKey(chainId, account)) : empty),
  );
}

const actionNames: Record<string, string> = {
  register: "Register key",
  registerBatch: "Register keys",
  rotate: "Rotate key",
  revoke: "Revoke key",
  revokeBatch: "Revoke keys",
  releaseKeys: "Release revoked lineages",
  extendOverlap: "Extend overlap",
  setRotator: "Set rotator",
  suspend: "Suspend key",
  unsuspend: "Lift suspension",
  delegate: "Delegate votes",
  propose: "Propose",
  castVote: "Vote",
  castVoteWithReason: "Vote",
  queue: "Queue proposal",
  execute: "Execute proposal",
};

/** A contract function's name in words, for the list. */
export function describeAction(functionName: string): string {
  return actionNames[functionName] ?? functionName;
}
