import { useState } from "react";
import { formatUnits } from "viem";
import { useConnection } from "wagmi";
import { keyLedgerGovernorAbi } from "../../../src/generated/abis.ts";
import { type Voter, whyDefeated } from "../chain/proposalOutcome.ts";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { TextField } from "../components/TextField.tsx";
import { TxStatus } from "../components/TxStatus.tsx";
import { useProposalVotes } from "../indexer/index.ts";
import { formatDateTime } from "../lib/formatDateTime.ts";
import { useTransaction } from "../components/useTransaction.ts";
import { describeError } from "../lib/describeError.ts";
import { shortHex } from "../lib/shortHex.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { ProposalCard } from "./governance/ProposalCard.tsx";
import { useProposals } from "./governance/useProposals.ts";

const supportNames = ["Against", "For", "Abstain"] as const;
const votes = (value: bigint) => Number(formatUnits(value, 18)).toLocaleString("en-US", { maximumFractionDigits: 2 });

/** `#/proposal/<id>`: one proposal with its decoded actions, a vote with a reason, who voted, and why it failed. */
export default function ProposalPage({ param }: { param?: string | undefined }) {
  const { runtime } = useRuntime();
  const { isConnected, chainId } = useConnection();
  const snapshot = useChainSnapshot();
  const head = snapshot.data?.head;
  const proposalId = param && /^\d+$/.test(param) ? BigInt(param) : undefined;
  // The proposal and its voters from the indexer (asked again with each indexed block);
  // state(), hasVoted and the wallet's votes from the chain (useProposals).
  const proposals = useProposals();
  const voters = useProposalVotes(proposalId);
  const proposal = proposals.data?.find((p) => p.proposalId === proposalId);
  const registry = snapshot.data?.registry;
  const onChain = isConnected && chainId === runtime.chainId;

  return (
    <section aria-labelledby="proposal-page-title">
      <p>
        <a href="#/governance">← All proposals</a>
      </p>
      <h1 id="proposal-page-title">Proposal {param ? shortHex(`0x${BigInt(proposalId ?? 0n).toString(16)}`) : ""}</h1>
      {proposalId === undefined && <p className="note error">A proposal id is a decimal number (as in the governor).</p>}
      {proposals.error && <p className="note error" role="alert">{describeError({ error: proposals.error }).title}</p>}
      {proposalId !== undefined && !proposals.data && !proposals.error && <p aria-busy="true">Reading the proposal…</p>}
      {proposals.data && proposalId !== undefined && !proposal && <div className="empty"><p>No proposal {param} on this governor.</p></div>}
      {proposal && registry && head && (
        <>
          <ProposalCard proposal={proposal} registry={registry} now={head.timestamp} headingLevel={2} />
          {proposal.state === "Defeated" && (
            <section className="card" aria-labelledby="why-defeated-title" data-testid="why-defeated">
              <h2 id="why-defeated-title">Why it was defeated</h2>
              <ul>
                {whyDefeated(proposal).map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </section>
          )}
          {/* Stays mounted once the account has voted, so its confirmation stays in view. */}
          {proposal.state === "Active" && onChain && proposal.weight > 0n && <VoteWithReason proposalId={proposal.proposalId} weight={proposal.weight} hasVoted={proposal.hasVoted} />}
          <section className="card" aria-labelledby="voters-title">
            <h2 id="voters-title">Voters</h2>
            {voters.data ? <VotersList voters={voters.data} /> : <p aria-busy="true">Reading votes…</p>}
          </section>
        </>
      )}
    </section>
  );
}

function VoteWithReason({ proposalId, weight, hasVoted }: { proposalId: bigint; weight: bigint; hasVoted: boolean }) {
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const [reason, setReason] = useState("");
  const [support, setSupport] = useState<0 | 1 | 2 | null>(null);
  const vote = (choice: 0 | 1 | 2) => {
    setSupport(choice);
    void tx.send(
      { address: runtime.addresses.KeyLedgerGovernor, abi: keyLedgerGovernorAbi, functionName: "castVoteWithReason", args: [proposalId, choice, reason.trim()] },
      { action: `Vote ${supportNames[choice].toLowerCase()}` },
    );
  };
  return (
    <section className="card" aria-labelledby="vote-reason-title">
      <h2 id="vote-reason-title">Vote with a reason</h2>
      {hasVoted && tx.state.status === "idle" ? (
        <p className="note success">You have voted.</p>
      ) : (
      <fieldset className="inline-form" disabled={tx.busy || tx.state.status === "confirmed" || hasVoted}>
        <TextField label="Reason (public, on-chain)" multiline rows={2} value={reason} onChange={(event) => setReason(event.target.value)} hint={`Your weight: ${votes(weight)} votes.`} />
        <div className="actions">
          <button type="button" className="primary" onClick={() => vote(1)} data-testid="vote-reason-for">Vote for</button>
          <button type="button" className="secondary" onClick={() => vote(0)} data-testid="vote-reason-against">Vote against</button>
          <button type="button" className="secondary" onClick={() => vote(2)}>Abstain</button>
        </div>
      </fieldset>
      )}
      <TxStatus state={tx.state} action={support === null ? "Vote" : `Vote ${supportNames[support].toLowerCase()}`} />
    </section>
  );
}

/** The voters, from the indexer's `votes` table, in the order they voted. */
export function VotersList({ voters }: { voters: readonly Voter[] }) {
  if (voters.length === 0) return <p data-testid="no-votes">No votes yet.</p>;
  return (
    <table className="voters" data-testid="voters">
      <thead>
        <tr>
          <th scope="col">Voter</th>
          <th scope="col">Vote</th>
          <th scope="col">Weight</th>
          <th scope="col">Reason</th>
          <th scope="col">Block</th>
        </tr>
      </thead>
      <tbody>
        {voters.map((v) => (
          <tr key={`${v.transactionHash}-${v.voter}`} data-testid="voter" data-voter={v.voter} data-support={v.support}>
            <td>
              <code title={v.voter}>{shortHex(v.voter)}</code>
            </td>
            <td>{supportNames[v.support] ?? v.support}</td>
            <td>{votes(v.weight)}</td>
            <td>{v.reason || <span className="hint">none given</span>}</td>
            <td>
              <span title={`${formatDateTime(v.timestamp)}, transaction ${v.transactionHash}`}>
                {v.blockNumber.toString()} <code>{shortHex(v.transactionHash)}</code>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
