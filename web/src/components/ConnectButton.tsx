import { useEffect, useRef, useState } from "react";
import { type Connector, useConnect, useConnection, useConnectors, useDisconnect } from "wagmi";
import { describeError } from "../lib/describeError.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { DevAccountPicker } from "./DevAccountPicker.tsx";
import { Modal } from "./Modal.tsx";

const devType = "keyledgerDevAccount";

/** Connect / account control: EIP-6963 wallets, a legacy injected wallet, and the local dev account. */
export function ConnectButton() {
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const { isLocal } = useRuntime();
  const [open, setOpen] = useState(false);
  // Where focus goes after the user connects or disconnects (the button they used disappears):
  // after Connect, the page's heading (the page now shows what needs the wallet); after
  // Disconnect, the Connect button. Automatic reconnects on load never move focus.
  const focusAfter = useRef<"connected" | "disconnected" | null>(null);
  const connectButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusAfter.current === "connected" && connection.isConnected) {
      focusAfter.current = null;
      setTimeout(() => {
        const heading = document.querySelector<HTMLElement>("main h1");
        if (heading) {
          heading.tabIndex = -1;
          heading.focus();
        }
      }, 0);
    } else if (focusAfter.current === "disconnected" && !connection.isConnected) {
      focusAfter.current = null;
      connectButton.current?.focus();
    }
  }, [connection.isConnected]);

  const hasLegacyWallet = typeof window !== "undefined" && "ethereum" in window && Boolean((window as { ethereum?: unknown }).ethereum);
  const discovered = connectors.filter((c) => c.type === "injected" && c.id !== "injected");
  const wallets = discovered.length > 0 ? discovered : hasLegacyWallet ? connectors.filter((c) => c.id === "injected") : [];
  const dev = isLocal ? connectors.find((c) => c.type === devType) : undefined;

  const choose = (connector: Connector) => {
    focusAfter.current = "connected";
    connect.mutate({ connector }, { onSuccess: () => setOpen(false) });
  };

  if (connection.isConnected && connection.address) {
    return (
      <div className="account">
        {connection.connector?.type === devType ? (
          <DevAccountPicker connector={connection.connector} address={connection.address} />
        ) : (
          <span className="account-address" title={connection.address}>
            {connection.connector?.icon && <img src={connection.connector.icon} alt="" width="18" height="18" />}
            {shortHex(connection.address)}
          </span>
        )}
        <button type="button" className="secondary small" onClick={() => {
            focusAfter.current = "disconnected";
            disconnect.mutate({ connector: connection.connector });
          }}
        >
          Disconnect
        </button>
      </div>
    );
  }

  return (
    <>
      <button
        type="button"
        className="primary"
        ref={connectButton}
        data-connect-button=""
        onClick={() => setOpen(true)}
        disabled={connection.isConnecting || connection.isReconnecting}
      >
        {connection.isConnecting || connection.isReconnecting ? "Connecting…" : "Connect"}
      </button>
      <Modal id="connect" open={open} title="Connect" onClose={() => setOpen(false)}>
        <ul className="connector-list">
          {wallets.map((c) => (
            <li key={c.uid}>
              <button type="button" className="connector" onClick={() => choose(c)} disabled={connect.isPending}>
                {c.icon ? <img src={c.icon} alt="" width="28" height="28" /> : <span className="connector-icon" aria-hidden="true">◆</span>}
                <span>
                  <strong>{c.id === "injected" ? "Browser wallet" : c.name}</strong>
                  <small>Sign with your own wallet</small>
                </span>
              </button>
            </li>
          ))}
          {dev && (
            <li>
              <button type="button" className="connector dev" onClick={() => choose(dev)} disabled={connect.isPending}>
                <span className="connector-icon" aria-hidden="true">⚙</span>
                <span>
                  <strong>Local dev account</strong>
                  <small>Development only: the local Hardhat node's unlocked accounts sign. No key is in this page.</small>
                </span>
              </button>
            </li>
          )}
        </ul>
        {wallets.length === 0 && (
          <p className="note" data-testid="no-wallet">
            No browser wallet was found. Install a wallet extension (any EIP-6963 wallet works) and reload this page
            {dev ? ", or use the local dev account." : "."}
          </p>
        )}
        {connect.isPending && <p className="note pending" role="status">Approve the connection in your wallet…</p>}
        {connect.error && (
          <p className="note error" role="alert">
            {describeError({ error: connect.error }).title}
          </p>
        )}
      </Modal>
    </>
  );
}
