import type { BrowserContext } from "playwright-core";

export type InjectWalletParameters = {
  /** The node the wallet sends through; its unlocked account signs, so the wallet holds no key. */
  rpcUrl: string;
  account: string;
  /** The network the wallet starts on (e.g. 1, to see the wrong-network flow). */
  chainId: number;
};

/**
 * A browser wallet as an extension would provide it: an EIP-1193 provider
 * announced through EIP-6963. It forwards to the node, follows
 * wallet_switchEthereumChain, and rejects the next signature request with
 * EIP-1193 code 4001 once the page sets `window.__keyledgerWalletReject = true`.
 */
export async function injectWallet(context: BrowserContext, parameters: InjectWalletParameters): Promise<void> {
  await context.addInitScript((p: InjectWalletParameters) => {
    const listeners = new Map<string, Set<(value: unknown) => void>>();
    let chainId = p.chainId;
    // Like a wallet seeing this site for the first time: no accounts until the user connects.
    let authorized = false;
    let id = 0;
    const emit = (event: string, value: unknown) => listeners.get(event)?.forEach((fn) => fn(value));
    const rpc = async (method: string, params: unknown) => {
      const response = await fetch(p.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
      });
      const json = await response.json();
      if (json.error) throw Object.assign(new Error(json.error.message), { code: json.error.code, data: json.error.data });
      return json.result;
    };
    const provider = {
      async request({ method, params }: { method: string; params?: unknown }) {
        const w = window as unknown as { __keyledgerWalletReject?: boolean };
        switch (method) {
          case "eth_chainId":
            return `0x${chainId.toString(16)}`;
          case "eth_accounts":
            return authorized ? [p.account] : [];
          case "eth_requestAccounts":
            authorized = true;
            return [p.account];
          case "wallet_switchEthereumChain": {
            chainId = Number((params as [{ chainId: string }])[0].chainId);
            emit("chainChanged", `0x${chainId.toString(16)}`);
            return null;
          }
          case "wallet_requestPermissions":
          case "wallet_revokePermissions":
            return [];
          case "eth_sendTransaction":
          case "personal_sign":
          case "eth_signTypedData_v4":
            if (w.__keyledgerWalletReject) {
              w.__keyledgerWalletReject = false;
              throw Object.assign(new Error("User rejected the request."), { code: 4001 });
            }
            return rpc(method, params);
          default:
            return rpc(method, params);
        }
      },
      on(event: string, fn: (value: unknown) => void) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(fn);
      },
      removeListener(event: string, fn: (value: unknown) => void) {
        listeners.get(event)?.delete(fn);
      },
    };
    const icon = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' rx='2' fill='%23e8590c'/%3E%3C/svg%3E";
    const detail = Object.freeze({ info: { uuid: "5f1c0e4e-0b0c-4e52-9d7e-6a1f5d6d0b11", name: "Test Wallet", icon, rdns: "org.keyledger.testwallet" }, provider });
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  }, parameters);
}
