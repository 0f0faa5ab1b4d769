import { type Address, getAddress, isAddress } from "viem";
import { BaseError } from "../errors/BaseError.ts";

export type WithProposerSuffixParameters = {
  /** The proposal description as the proposer wrote it. */
  description: string;
  /** The account that will send `propose`. */
  proposer: Address;
};

export type WithProposerSuffixReturnType = string;

export class ProposerSuffixMismatchError extends BaseError {
  override name = "ProposerSuffixMismatchError";
  readonly suffixProposer: Address;
  readonly proposer: Address;
  constructor({ suffixProposer, proposer }: { suffixProposer: Address; proposer: Address }) {
    super(`The description already ends with "#proposer=${suffixProposer}", but ${proposer} would propose it.`, {
      metaMessages: ["The governor refuses a proposal whose #proposer= suffix names another account.", "Remove the suffix or propose from that account."],
    });
    this.suffixProposer = suffixProposer;
    this.proposer = proposer;
  }
}

export class InvalidProposerError extends BaseError {
  override name = "InvalidProposerError";
  constructor(proposer: unknown) {
    super(`${JSON.stringify(proposer)} is not an address (0x followed by 40 hex digits).`);
  }
}

// OpenZeppelin 5's Governor._isValidDescriptionForProposer looks at exactly the last 52 characters.
const suffixPattern = /#proposer=(0x[0-9a-fA-F]{40})$/;

/**
 * Appends OpenZeppelin 5 Governor's `#proposer=<address>` suffix to a proposal description.
 * Why: the proposal id hashes only targets, values, calldatas and the description, so anyone
 * who sees a pending `propose` could send the same one first (becoming its proposer, who may
 * cancel it while pending); with the suffix the governor accepts it only from `proposer`.
 * A description that already carries this proposer's suffix is returned unchanged.
 */
export function withProposerSuffix({ description, proposer }: WithProposerSuffixParameters): WithProposerSuffixReturnType {
  if (typeof proposer !== "string" || !isAddress(proposer, { strict: false })) throw new InvalidProposerError(proposer);
  const checksummed = getAddress(proposer);
  const existing = suffixPattern.exec(description)?.[1];
  if (existing !== undefined) {
    if (existing.toLowerCase() === checksummed.toLowerCase()) return description;
    throw new ProposerSuffixMismatchError({ suffixProposer: getAddress(existing), proposer: checksummed });
  }
  return `${description}\n\n#proposer=${checksummed}`;
}
