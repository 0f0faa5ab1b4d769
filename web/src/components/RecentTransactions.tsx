import { useState } from "react";
import type { Address, Hex } from "viem";
import { useConnection } from "wagmi";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { useRecentTransactions } from "./recentTransactions.ts";

/** The connected account's recent transactions (this tab), each hash copyable. */
export function RecentTransactions() {
  const { runtime } = useRuntime();
  const { address } = useConnection();
  return <RecentTransactionsList chainId={runtime.chainId} address={address} />;
}

export function RecentTransactionsList({ chainId, address }: { chainId: number; address: Address | undefined }) {
  const list = useRecentTransactions(chainId, address);
  if (!address || list.length === 0) return null;
  return (
    <details className="recent-transactions" data-testid="recent-transactions" data-account={address}>
      <summary>
        Recent transactions of {shortHex(address)} ({list.length})
      </summary>
      <ul>
        {list.map((t) => (
          <li key={t.hash} data-status={t.status}>
            <span className={`badge ${t.status === "confirmed" ? "status-active" : t.status === "failed" ? "status-revoked" : "warning"}`}>{t.status}</span>{" "}
            <span>{t.action}</span> <code title={t.hash}>{shortHex(t.hash, 6)}</code> <CopyButton text={t.hash} label={`Copy hash of ${t.action}`} />{" "}
            <small>
              {formatDateTime(Math.floor(t.at / 1000))}
              {t.blockNumber ? `, block ${t.blockNumber}` : ""}
            </small>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function CopyButton({ text, label, what = "transaction hash" }: { text: Hex | string; label: string; what?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="link small"
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          // No clipboard permission: the full hash is in the title for manual copying.
          window.prompt(`Copy the ${what}`, text);
        }
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}
