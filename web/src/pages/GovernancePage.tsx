import type { Hex } from "viem";
import { useConnection } from "wagmi";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { SuspendKey } from "../components/SuspendKey.tsx";
import { describeError } from "../lib/describeError.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { AdvanceTime } from "./governance/AdvanceTime.tsx";
import { ProposalCard } from "./governance/ProposalCard.tsx";
import { FilteredProposals } from "./governance/ProposalFilters.tsx";
import { ProposalForm } from "./governance/ProposalForm.tsx";
import { useProposals } from "./governance/useProposals.ts";
import { VotingPower } from "./governance/VotingPower.tsx";

export default function GovernancePage({ param }: { param?: string | undefined }) {
  const { runtime, isLocal } = useRuntime();
  const { address, isConnected, chainId } = useConnection();
  const snapshot = useChainSnapshot();
  const head = snapshot.data?.head;
  // From the indexer, with state(), hasVoted and the wallet's votes read on chain (useProposals).
  const proposals = useProposals();
  const params = runtime.governanceParams;
  const registry = snapshot.data?.registry;
  const onChain = isConnected && chainId === runtime.chainId;
  const isGuardian = Boolean(address && registry?.guardians.some((g) => g.toLowerCase() === address.toLowerCase()));

  // Opened from a key ("Propose a DAO revocation"): the form comes first.
  const proposalForm = onChain && registry?.policy && <ProposalForm registry={registry} initialKeyId={param as Hex | undefined} now={head?.timestamp} />;

  return (
    <section aria-labelledby="governance-title">
      <h1 id="governance-title">Governance</h1>
      <p className="lead">
        KLG holders govern the registry: they can revoke any key (or its whole lineage, or every key of its owner), extend
        or lift a guardian's suspension, change the key policy and appoint guardians. Passed proposals run through a timelock
        {params && ` (${formatDuration(params.timelockDelay)}) after a ${formatDuration(params.votingPeriod)} vote with a ${params.quorumPercent} % quorum`}.
      </p>
      <div className="grid two">
        {onChain ? <VotingPower /> : <div className="card empty"><p>Connect a wallet on chain {runtime.chainId} to vote, delegate and propose.</p></div>}
        {isLocal && (
          <AdvanceTime
            steps={[
              ...(params
                ? [
                    { label: "past the voting delay", seconds: params.votingDelay + 1 },
                    { label: "past the voting period", seconds: params.votingPeriod + 1 },
                    { label: "past the timelock delay", seconds: params.timelockDelay + 1 },
                  ]
                : []),
              { label: "one day", seconds: 86_400 },
            ]}
          />
        )}
      </div>
      {onChain && registry?.policy && isGuardian && <SuspendKey registry={registry} />}
      {param && proposalForm}
      <h2>Proposals</h2>
      {proposals.error && <p className="note error" role="alert">{describeError({ error: proposals.error }).title}</p>}
      {!proposals.data && !proposals.error && <p aria-busy="true">Reading proposals…</p>}
      {proposals.data?.length === 0 && <div className="empty"><p>No proposals yet.</p></div>}
      {registry && head && proposals.data && proposals.data.length > 0 && (
        <FilteredProposals proposals={proposals.data}>
          {(shown) => (
            <div data-testid="proposal-list">
              {shown.map((p) => <ProposalCard key={p.proposalId.toString()} proposal={p} registry={registry} now={head.timestamp} />)}
            </div>
          )}
        </FilteredProposals>
      )}
      {!param && proposalForm}
    </section>
  );
}
