import { createConnector } from "wagmi";
import { type Address, type EIP1193RequestFn, getAddress, numberToHex, RpcRequestError, SwitchChainError } from "viem";

export type DevAccountConnectorParameters = { rpcUrl: string; chainId: number };

type Provider = { request: EIP1193RequestFn; on(): void; removeListener(): void };
type Properties = {
  /** Makes the dev account at `index` (of the node's `eth_accounts`) the connected one. */
  selectAccount(index: number): Promise<void>;
  /** The node's unlocked accounts, in its order. */
  devAccounts(): Promise<readonly Address[]>;
};

const storageKey = "keyledger.devAccount";

/**
 * "Local dev account": the local node's unlocked accounts sign, so no private key
 * is ever in the page. The node does the signing for `eth_sendTransaction`; every
 * request goes to its JSON-RPC endpoint. Only offered on chain 31337.
 */
export function devAccountConnector({ rpcUrl, chainId }: DevAccountConnectorParameters) {
  let accounts: readonly Address[] = [];
  let selected = 0;
  let connected = false;
  let id = 0;

  const rpc = async (method: string, params?: unknown): Promise<unknown> => {
    const body = { jsonrpc: "2.0", id: ++id, method, params: params ?? [] };
    const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (json.error) throw new RpcRequestError({ body, error: json.error, url: rpcUrl });
    return json.result;
  };
  const ordered = () => {
    const current = accounts[selected];
    return current ? [current, ...accounts.filter((a) => a !== current)] : [...accounts];
  };
  const load = async () => {
    accounts = ((await rpc("eth_accounts")) as string[]).map((a) => getAddress(a));
    if (accounts.length === 0) throw new Error("The local node has no unlocked accounts.");
    if (selected >= accounts.length) selected = 0;
  };

  return createConnector<Provider, Properties>((config) => {
    const provider: Provider = {
      request: (async ({ method, params }: { method: string; params?: unknown }) => {
        if (method === "eth_chainId") return numberToHex(chainId);
        if (method === "eth_accounts" || method === "eth_requestAccounts") return connected ? ordered() : [];
        if (method === "wallet_switchEthereumChain") {
          throw new SwitchChainError(new Error("The local dev account only exists on the local chain."));
        }
        return rpc(method, params);
      }) as EIP1193RequestFn,
      on() {},
      removeListener() {},
    };
    return {
      id: "keyledgerDevAccount",
      name: "Local dev account",
      type: "keyledgerDevAccount",
      async connect() {
        await load();
        const stored = Number((await config.storage?.getItem(storageKey)) ?? 0);
        selected = Number.isInteger(stored) && stored >= 0 && stored < accounts.length ? stored : 0;
        connected = true;
        await config.storage?.setItem(storageKey, selected);
        return { accounts: ordered() as never, chainId };
      },
      async disconnect() {
        connected = false;
        await config.storage?.removeItem(storageKey);
      },
      async getAccounts() {
        if (accounts.length === 0) await load();
        return ordered();
      },
      async getChainId() {
        return chainId;
      },
      async getProvider() {
        return provider;
      },
      async isAuthorized() {
        return (await config.storage?.getItem(storageKey)) != null;
      },
      async switchChain({ chainId: wanted }) {
        if (wanted === chainId) return config.chains[0];
        throw new SwitchChainError(new Error("The local dev account only exists on the local chain."));
      },
      async selectAccount(index) {
        if (!accounts[index]) throw new Error(`The node has no account #${index}.`);
        selected = index;
        await config.storage?.setItem(storageKey, index);
        config.emitter.emit("change", { accounts: ordered() });
      },
      async devAccounts() {
        if (accounts.length === 0) await load();
        return accounts;
      },
      onAccountsChanged(list) {
        config.emitter.emit("change", { accounts: list.map((a) => getAddress(a)) });
      },
      onChainChanged() {},
      onDisconnect() {
        connected = false;
        config.emitter.emit("disconnect");
      },
    };
  });
}
