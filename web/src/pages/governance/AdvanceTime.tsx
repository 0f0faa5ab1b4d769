import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useChainSnapshot } from "../../chain/useChainSnapshot.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { formatDuration } from "../../lib/formatDuration.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

/**
 * Development only, on the local chain: moves the node's clock forward and mines
 * a block, so a proposal's voting period and timelock delay pass in a second.
 */
export function AdvanceTime({ steps }: { steps: { label: string; seconds: number }[] }) {
  const { client, runtime } = useRuntime();
  const snapshot = useChainSnapshot();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const advance = async (seconds: number) => {
    setBusy(true);
    setError(null);
    try {
      const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>;
      await request({ method: "evm_increaseTime", params: [seconds] });
      await request({ method: "evm_mine", params: [] });
      await queryClient.invalidateQueries({ queryKey: ["keyledger"] });
    } catch (e) {
      setError(e instanceof Error ? e.message.split("\n")[0]! : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card dev-only" aria-labelledby="time-title">
      <h2 id="time-title">
        <span className="badge dev">Dev only</span> Advance chain time
      </h2>
      <p>
        The local node ({runtime.rpcUrl}) can jump forward in time so voting periods and timelock delays pass at once. Chain time now:{" "}
        <strong data-testid="chain-time">{snapshot.data ? formatDateTime(snapshot.data.head.timestamp) : "…"}</strong>.
      </p>
      <div className="actions wrap">
        {steps.map((step) => (
          <button key={step.label} type="button" className="secondary" disabled={busy} onClick={() => void advance(step.seconds)} data-testid={`advance-${step.seconds}`}>
            +{formatDuration(step.seconds)} ({step.label})
          </button>
        ))}
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
