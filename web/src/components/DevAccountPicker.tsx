import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import type { Connector } from "wagmi";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { shortHex } from "../lib/shortHex.ts";

type DevConnector = Connector & {
  selectAccount(index: number): Promise<void>;
  devAccounts(): Promise<readonly Address[]>;
};

/** Switches between the local node's unlocked accounts (#9 is the local guardian). */
export function DevAccountPicker({ connector, address }: { connector: Connector; address: Address }) {
  const dev = connector as DevConnector;
  const accounts = useQuery({ queryKey: ["dev-accounts", connector.uid], queryFn: () => dev.devAccounts(), staleTime: Infinity });
  const guardians = new Set(useChainSnapshot().data?.registry.guardians.map((g) => g.toLowerCase()));
  const list = accounts.data ?? [address];
  const selected = list.findIndex((a) => a === address);
  return (
    <label className="dev-account">
      <span className="badge dev">
        Local dev<span className="wide-only"> account</span>
      </span>
      <span className="visually-hidden">Account</span>
      <select
        value={selected}
        onChange={(event) => void dev.selectAccount(Number(event.target.value))}
        data-testid="dev-account-select"
      >
        {list.slice(0, 10).map((a, i) => (
          <option key={a} value={i}>
            #{i} {shortHex(a)}
            {guardians.has(a.toLowerCase()) ? " (guardian)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
