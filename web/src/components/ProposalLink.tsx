import { shortHex } from "../lib/shortHex.ts";

/** A proposal, named as its page names it (its id in hex, shortened), opening `#/proposal/<id>`. */
export function ProposalLink({ proposalId, label }: { proposalId: bigint; label?: string | undefined }) {
  const name = `proposal ${shortHex(`0x${proposalId.toString(16)}`)}`;
  return (
    <a href={`#/proposal/${proposalId.toString()}`} title={`Proposal ${proposalId.toString()}`} aria-label={label} data-testid="proposal-ref">
      {name}
    </a>
  );
}
