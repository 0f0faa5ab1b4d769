import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type Address, formatUnits, isAddress } from "viem";
import { useConnection } from "wagmi";
import { keyLedgerTokenAbi } from "../../../../src/generated/abis.ts";
import { useChainSnapshot } from "../../chain/useChainSnapshot.ts";
import { TextField } from "../../components/TextField.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useTransaction } from "../../components/useTransaction.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

const zero = "0x0000000000000000000000000000000000000000";

/** Token balance, current votes and delegation; votes count only once delegated (to yourself or someone). */
export function VotingPower() {
  const { client, runtime } = useRuntime();
  const { address } = useConnection();
  const snapshot = useChainSnapshot();
  const tx = useTransaction();
  const [delegatee, setDelegatee] = useState("");
  const token = runtime.addresses.KeyLedgerToken;
  const power = useQuery({
    queryKey: ["keyledger", "power", address, snapshot.data?.head.number.toString()],
    enabled: Boolean(address && snapshot.data),
    queryFn: async () => {
      const read = <T,>(functionName: "balanceOf" | "getVotes" | "delegates") =>
        client.readContract({ address: token, abi: keyLedgerTokenAbi, functionName, args: [address!] }) as Promise<T>;
      const [balance, votes, delegate] = await Promise.all([read<bigint>("balanceOf"), read<bigint>("getVotes"), read<Address>("delegates")]);
      return { balance, votes, delegate };
    },
    placeholderData: (previous) => previous,
  });
  const target = delegatee.trim();
  const invalid = target !== "" && !isAddress(target);
  const delegate = (to: Address) => tx.send({ address: token, abi: keyLedgerTokenAbi, functionName: "delegate", args: [to] });

  return (
    <section className="card" aria-labelledby="power-title">
      <h2 id="power-title">Your voting power</h2>
      {power.data ? (
        <dl className="stats">
          <div>
            <dt>KLG balance</dt>
            <dd>{Number(formatUnits(power.data.balance, 18)).toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt>Votes</dt>
            <dd data-testid="voting-power">{Number(formatUnits(power.data.votes, 18)).toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt>Delegated to</dt>
            <dd>
              {power.data.delegate === zero
                ? power.data.balance > 0n
                  ? "nobody (your tokens do not vote)"
                  : "nobody"
                : power.data.delegate === address
                  ? "yourself"
                  : <code title={power.data.delegate}>{shortHex(power.data.delegate)}</code>}
            </dd>
          </div>
        </dl>
      ) : (
        <p aria-busy="true">Reading your votes…</p>
      )}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (target && !invalid) void delegate(target as Address);
        }}
      >
        <TextField label="Delegate to address" value={delegatee} placeholder="0x…" spellCheck={false} onChange={(event) => setDelegatee(event.target.value)} error={invalid ? "Not an address." : undefined} />
        <div className="actions">
          <button type="submit" className="secondary" disabled={tx.busy || !target || invalid}>
            Delegate
          </button>
          {address && power.data && power.data.balance > 0n && power.data.delegate !== address && (
            <button type="button" className="primary" disabled={tx.busy} onClick={() => void delegate(address)}>
              Delegate to myself
            </button>
          )}
        </div>
      </form>
      <TxStatus state={tx.state} action="Delegate votes" />
      <p className="hint">Votes count from the moment of delegation: a proposal uses the votes you had when its voting started.</p>
    </section>
  );
}
