import { useEffect, useId, useState } from "react";
import { formatUnits } from "viem";
import { keyLedgerGovernorAbi } from "../../../../src/generated/abis.ts";
import { describeProposalAction } from "../../chain/describeProposalAction.ts";
import type { Proposal } from "../../chain/readProposals.ts";
import { type RegistryIndex, usePolicyBefore } from "../../indexer/index.ts";
import { KeyIdLink } from "../../components/KeyIdLink.tsx";
import { Markdown } from "../../components/Markdown.tsx";
import { PolicyDiff } from "../../components/PolicyDiff.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useTransaction } from "../../components/useTransaction.ts";
import { formatDateTime } from "../../lib/formatDateTime.ts";
import { formatRelative } from "../../lib/formatRelative.ts";
import { shortHex } from "../../lib/shortHex.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

const votes = (value: bigint) => Number(formatUnits(value, 18)).toLocaleString("en-US", { maximumFractionDigits: 2 });
const percent = (part: bigint, whole: bigint) => (whole === 0n ? 0 : Math.min(100, Number((part * 10_000n) / whole) / 100));

export type ProposalCardProps = {
  proposal: Proposal;
  registry: RegistryIndex;
  now: number;
  /**
   * The card's title level: 3 in the Governance list (under its "Proposals" h2), 2 on
   * the proposal's own page, right under the page's h1 (headings must not skip a level).
   */
  headingLevel?: 2 | 3 | undefined;
};

/** One proposal: what it does, where voting stands, and the next step (vote, queue, execute). */
export function ProposalCard({ proposal, registry, now, headingLevel = 3 }: ProposalCardProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const { runtime } = useRuntime();
  const tx = useTransaction();
  const { state } = proposal;
  const title = proposal.description?.split("\n")[0]?.replace(/^#+\s*/, "") || `Proposal ${shortHex(proposal.proposalId.toString(16).padStart(2, "0"))}`;
  const rationale = proposal.description?.split("\n").slice(1).join("\n").trim();
  const total = proposal.votes.for + proposal.votes.against + proposal.votes.abstain;
  const quorumVotes = proposal.votes.for + proposal.votes.abstain;
  const governor = { address: runtime.addresses.KeyLedgerGovernor, abi: keyLedgerGovernorAbi };
  const [action, setAction] = useState("");
  const run = (name: string, functionName: string, args: readonly unknown[]) => {
    setAction(name);
    void tx.send({ ...governor, functionName, args });
  };
  // An execution refused before the timelock ended is history once it has: the error goes.
  const ready = state === "Queued" && now >= proposal.eta;
  useEffect(() => {
    if (ready && tx.state.status === "failed" && action === "Execute") tx.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);
  const actions = proposal.targets.map((target, i) =>
    describeProposalAction({ target, data: proposal.calldatas[i]!, registry: runtime.addresses.KeyRegistry, scopeNames: registry.scopeNames }),
  );
  // Once executed, the live policy is the proposal's own: compare with the one it replaced.
  const executed = state === "Executed" && proposal.executedBlock !== undefined;
  const before = usePolicyBefore(executed && actions.some((a) => a.policy) ? proposal.executedBlock : undefined);
  const policyInForce = executed ? (before.data ?? undefined) : registry.policy;
  const vote = (support: 0 | 1 | 2) => run(["Vote against", "Vote for", "Abstain"][support]!, "castVote", [proposal.proposalId, support]);

  return (
    <article className="card proposal" data-testid="proposal" data-state={state} aria-labelledby={`proposal-${proposal.index}`}>
      <header className="card-head">
        <Heading id={`proposal-${proposal.index}`}>
          <a href={`#/proposal/${proposal.proposalId.toString()}`} data-testid="proposal-link">
            {title}
          </a>
        </Heading>
        <span className={`badge state-${state.toLowerCase()}`} data-testid="proposal-state">
          {state}
        </span>
      </header>
      <ul className="actions-list">
        {actions.map((action, i) => {
          return (
            <li key={i} data-testid="proposal-action" data-final={action.final ? "true" : undefined}>
              {action.text}
              {action.keyId && (
                <>
                  {" "}
                  <KeyIdLink keyId={action.keyId} />
                </>
              )}
              {action.owner && (
                <>
                  {" "}
                  <a href={`#/owner/${action.owner}`} className="mono" title={`Keys of ${action.owner}`}>
                    {action.owner}
                  </a>
                </>
              )}
              {action.note && <> {action.note}</>}
              {action.detail && <>: “{action.detail}”</>}
              {action.policy && (
                <PolicyDiff proposed={action.policy} current={policyInForce} scopeNames={registry.scopeNames} currentLabel={executed ? "Before" : "Current"} />
              )}
            </li>
          );
        })}
      </ul>
      {rationale && <Markdown className="rationale" source={rationale} topHeading={headingLevel + 1} />}
      <div className="tally" aria-label="Votes">
        {(["for", "against", "abstain"] as const).map((side) => (
          <div key={side} className={`tally-row ${side}`}>
            <span className="tally-label">{side[0]!.toUpperCase() + side.slice(1)}</span>
            <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent(proposal.votes[side], total)} aria-label={`${side} share`}>
              <div style={{ width: `${percent(proposal.votes[side], total)}%` }} />
            </div>
            <span className="tally-value">{votes(proposal.votes[side])}</span>
          </div>
        ))}
        <div className="tally-row quorum">
          <span className="tally-label">Quorum</span>
          <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent(quorumVotes, proposal.quorum)} aria-label="quorum reached">
            <div style={{ width: `${percent(quorumVotes, proposal.quorum)}%` }} />
          </div>
          <span className="tally-value">
            {votes(quorumVotes)} / {votes(proposal.quorum)}
          </span>
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Proposer</dt>
          <dd><code title={proposal.proposer}>{shortHex(proposal.proposer)}</code></dd>
        </div>
        <div>
          <dt>{now < proposal.snapshot ? "Voting starts" : "Voting started"}</dt>
          <dd>{formatDateTime(proposal.snapshot)} ({formatRelative(proposal.snapshot, now)})</dd>
        </div>
        <div>
          <dt>{now < proposal.deadline ? "Voting ends" : "Voting ended"}</dt>
          <dd>{formatDateTime(proposal.deadline)} ({formatRelative(proposal.deadline, now)})</dd>
        </div>
        {proposal.createdBlock !== undefined && (
          <div>
            <dt>Blocks (indexer)</dt>
            <dd data-testid="proposal-blocks">
              {[
                `created ${proposal.createdBlock}`,
                proposal.queuedBlock !== undefined && `queued ${proposal.queuedBlock}`,
                proposal.executedBlock !== undefined && `executed ${proposal.executedBlock}`,
                proposal.canceledBlock !== undefined && `cancelled ${proposal.canceledBlock}`,
              ]
                .filter(Boolean)
                .join(" · ")}
              {` · ${proposal.voteCount} ${proposal.voteCount === 1 ? "vote" : "votes"}`}
            </dd>
          </div>
        )}
        {proposal.eta > 0 && (
          <div>
            <dt>Executable from (timelock ETA)</dt>
            <dd data-testid="proposal-eta">{formatDateTime(proposal.eta)} ({formatRelative(proposal.eta, now)})</dd>
          </div>
        )}
      </dl>
      <div className="actions wrap">
        {state === "Pending" && <p className="note">Voting opens {formatRelative(proposal.snapshot, now)}.</p>}
        {state === "Active" &&
          (proposal.hasVoted ? (
            <p className="note success">You have voted.</p>
          ) : proposal.weight === 0n ? (
            <p className="note">You had no votes when voting opened, so you cannot vote on this proposal.</p>
          ) : (
            <>
              <button type="button" className="primary" disabled={tx.busy} onClick={() => vote(1)} data-testid="vote-for">Vote for</button>
              <button type="button" className="secondary" disabled={tx.busy} onClick={() => vote(0)}>Vote against</button>
              <button type="button" className="secondary" disabled={tx.busy} onClick={() => vote(2)}>Abstain</button>
              <span className="hint">Your weight: {votes(proposal.weight)} votes.</span>
            </>
          ))}
        {state === "Succeeded" && (
          <button type="button" className="primary" disabled={tx.busy} onClick={() => run("Queue", "queue", [proposal.proposalId])} data-testid="queue">
            Queue in the timelock
          </button>
        )}
        {state === "Queued" && <ExecuteButton now={now} eta={proposal.eta} busy={tx.busy} onExecute={() => run("Execute", "execute", [proposal.proposalId])} />}
      </div>
      <TxStatus state={tx.state} action={action} />
    </article>
  );
}

/** Disabled until the timelock's ETA (chain time), saying how long is left. */
export function ExecuteButton({ now, eta, busy, onExecute }: { now: number; eta: number; busy: boolean; onExecute: () => void }) {
  const early = now < eta;
  const waitId = useId();
  return (
    <>
      <button type="button" className="primary" disabled={busy || early} aria-describedby={early ? waitId : undefined} onClick={onExecute} data-testid="execute">
        Execute
      </button>
      {early && (
        <span className="hint" id={waitId} data-testid="execute-wait">
          The timelock ends {formatRelative(eta, now)}: execution opens then.
        </span>
      )}
    </>
  );
}
