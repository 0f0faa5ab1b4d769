import {
  type Abi,
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  HttpRequestError,
  type Hex,
  InsufficientFundsError,
  RpcRequestError,
  TimeoutError,
} from "viem";
import { keyLedgerGovernorAbi, keyLedgerTimelockAbi, keyLedgerTokenAbi, keyRegistryAbi } from "../generated/abis.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";

// Errors bubble up through the governor and the timelock (an executed proposal
// reverts with the registry's error), so decode against every contract's errors.
const errorAbi = [...keyRegistryAbi, ...keyLedgerGovernorAbi, ...keyLedgerTimelockAbi, ...keyLedgerTokenAbi].filter(
  (item) => item.type === "error",
) as Abi;

const keyStates = ["Unknown", "Active", "Suspended", "Revoked"];
const proposalStates = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];

type Args = readonly unknown[];
const explanations: Record<string, (a: Args) => string> = {
  KeyAlreadyRegistered: () => "this key id is already registered (ids are never reused, even after revocation); generate a new key",
  KeyNotFound: () => "no key with this id is registered on this chain",
  NotKeyOwner: (a) => `the wallet ${a[1]} does not own this key (its owner is ${a[2]})`,
  SignatureExpired: (a) => `the signed operation's deadline ${a[0]} has passed (chain time ${a[1]}); sign it again`,
  InvalidSignature: (a) => `the signature is not ${a[0]}'s over this operation (a changed field, another signer, chain or registry, or a used nonce)`,
  NotGovernance: (a) => `only the DAO's timelock may do this, not ${a[0]}; use propose-revoke`,
  NotGuardian: (a) => `${a[0]} is not a guardian of the registry`,
  AlgorithmNotAllowed: () => "the DAO's policy does not allow this key algorithm",
  InvalidPublicKey: () => "the public key has the wrong length or encoding for its algorithm",
  InvalidProofLength: (a) => `the proof of possession must be a 64-byte signature, got ${a[0]} bytes`,
  ScopesNotAllowed: (a) => `scope bits ${bits(a[0])} are not all allowed by the policy (allowed: ${bits(a[1])})`,
  InvalidValidityWindow: (a) => `the window ${a[0]}..${a[1]} is empty, inverted or already over at chain time ${a[2]}`,
  LifetimeTooLong: (a) => `the window lasts ${a[0]} s; the policy allows at most ${a[1]} s`,
  OverlapTooLong: (a) => `the overlap is ${a[0]} s; the policy allows at most ${a[1]} s`,
  RotationGap: (a) => `the new key would start (${a[0]}) after the old one stops (${a[1]}); start it earlier`,
  InvalidLabel: () => "a label must be 1..64 bytes of UTF-8",
  InvalidKeyState: (a) => `the key is ${keyStates[Number(a[1])] ?? a[1]}, which this operation does not allow`,
  KeyAlreadyRotated: () => "this key was already rotated; rotate its newest version instead",
  KeyNotRotated: () => "only a rotated-out key's overlap can be extended",
  ExpiryNotExtended: (a) => `the requested expiry ${a[1]} is not later than the current one ${a[0]}`,
  VersionOverflow: () => "this lineage has reached the last version number",
  InvalidBatchSize: (a) => `a batch takes 1..256 keys, got ${a[0]}`,
  TooManyKeys: (a) =>
    `${a[0]} already holds ${a[1]} unreleased lineages, the DAO's cap is ${a[2]}; revoked lineages count until released: run \`keyledger release --owner ${a[0]}\` (anyone may send it), or revoke a lineage first`,
  OwnerIsRevoked: (a) => `governance revoked ${a[0]}: its keys are dead and it can register or rotate no more`,
  GovernorUnexpectedProposalState: (a) =>
    `the proposal is ${proposalStates[Number(a[1])] ?? a[1]}; this step needs it ${statesOf(a[2] as Hex)}`,
  GovernorNonexistentProposal: () => "no proposal with this id exists",
  GovernorAlreadyCastVote: (a) => `${a[0]} has already voted on this proposal`,
  GovernorInsufficientProposerVotes: (a) => `${a[0]} has ${a[1]} votes; proposing needs ${a[2]}`,
  GovernorInvalidVoteType: () => "the vote must be for, against or abstain",
  GovernorRestrictedProposer: (a) => `${a[0]} may not propose this`,
  TimelockUnexpectedOperationState: () => "the timelock operation is not ready yet (its delay has not passed) or was already executed",
  TimelockInsufficientDelay: (a) => `the timelock delay ${a[0]} is below the minimum ${a[1]}`,
};

function bits(value: unknown): string {
  const n = Number(value);
  const out: number[] = [];
  for (let i = 0; i < 8; i++) if (n & (1 << i)) out.push(i);
  return out.length ? out.join(",") : "none";
}

function statesOf(bitmap: Hex): string {
  const n = BigInt(bitmap);
  const names = proposalStates.filter((_, i) => (n >> BigInt(i)) & 1n);
  return names.length ? names.join(" or ") : "in another state";
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** A decoded contract error in words, as the CLI prints it: "KeyAlreadyRegistered(0x..): this key id is already registered". */
export function contractErrorMessage(name: string, args: readonly unknown[]): string {
  const explain = explanations[name];
  return `${name}(${args.map(formatArg).join(", ")}): ${explain ? explain(args) : "the contract refused the call"}`;
}

/**
 * Turns a viem error into a CliError that says, in words, what went wrong:
 * custom contract errors are decoded by name ("KeyAlreadyRegistered(0x..): this
 * key id is already registered"), transport failures become network errors.
 */
export function explainError(error: unknown, { rpcUrl }: { rpcUrl?: string } = {}): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof ViemBaseError)) {
    return new CliError(error instanceof Error ? error.message : String(error), { exitCode: exitCodes.internal, code: "internal" });
  }
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted) {
    let name = reverted.data?.errorName;
    let args: Args = (reverted.data?.args as Args | undefined) ?? [];
    if (!name && reverted.raw && reverted.raw !== "0x") {
      try {
        const decoded = decodeErrorResult({ abi: errorAbi, data: reverted.raw });
        name = decoded.errorName;
        args = (decoded.args as Args | undefined) ?? [];
      } catch {
        // Unknown selector: report the raw data below.
      }
    }
    if (name && name !== "Error" && name !== "Panic") {
      return new CliError(contractErrorMessage(name, args), {
        exitCode: exitCodes.reverted,
        code: name,
      });
    }
    const reason = reverted.reason ?? (reverted.raw ? `revert data ${reverted.raw}` : "no reason given");
    return new CliError(`The contract refused the call: ${reason}`, { exitCode: exitCodes.reverted, code: "reverted" });
  }
  if (error.walk((e) => e instanceof InsufficientFundsError)) {
    return new CliError("The wallet cannot pay for gas: insufficient funds.", { exitCode: exitCodes.reverted, code: "insufficient-funds" });
  }
  if (error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)) {
    return new CliError(`Cannot reach the RPC node${rpcUrl ? ` at ${rpcUrl}` : ""}.`, {
      exitCode: exitCodes.network,
      code: "rpc-unreachable",
      metaMessages: ["Is the node running? Start a local one with `npm start`, or pass --rpc <url>."],
    });
  }
  if (error.walk((e) => e instanceof RpcRequestError)) {
    return new CliError(`The RPC node refused the request: ${error.shortMessage}`, { exitCode: exitCodes.network, code: "rpc-error" });
  }
  return new CliError(error.shortMessage, { exitCode: exitCodes.network, code: "chain-error", details: error.details });
}
