import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import { algorithmLabel } from "./algorithmLabel.ts";
import { formatDateTime } from "./formatDateTime.ts";
import { formatDuration } from "./formatDuration.ts";
import { scopeNames } from "./scopeNames.ts";
import { shortHex } from "./shortHex.ts";
import { algorithms } from "../../../src/keys/algorithms.ts";

export type DescribedError = {
  /** One line: what went wrong, in words. */
  title: string;
  /** What it means for the user, or what to do next. */
  detail?: string | undefined;
  /** The contract error name (or a short code such as "user-rejected"), for support and tests. */
  code: string;
};

export type DescribeErrorParameters = {
  error: unknown;
  /** Names of the scope bits, to put names on a ScopesNotAllowed mask. */
  scopeNames?: readonly string[] | undefined;
};

const keyStates = ["unknown", "active", "suspended", "revoked"];
const proposalStates = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];
const operationStates = ["Unset", "Waiting", "Ready", "Done"];

/**
 * Turns anything a wallet, viem or a contract throws into a sentence: the
 * registry's and the DAO's custom errors with their values, rejections in the
 * wallet, wrong networks and unreachable nodes.
 */
export function describeError({ error, scopeNames: names = [] }: DescribeErrorParameters): DescribedError {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      if (reverted.data) return describeRevert(reverted.data.errorName, reverted.data.args ?? [], names);
      if (reverted.reason) return { title: `The contract refused: ${reverted.reason}.`, code: "revert-reason" };
      return {
        title: "The contract refused the call without saying why.",
        detail: reverted.signature ? `Unknown error selector ${reverted.signature}.` : undefined,
        code: "revert-unknown",
      };
    }
  }
  const named = walkAll(error);
  const relayed = named.find((e): e is RelayErrorLike => e.name === "RelayError" && typeof (e as RelayErrorLike).code === "string");
  if (relayed) return describeRelayError(relayed, names);
  if (named.some((e) => e.code === 4001 || e.name === "UserRejectedRequestError")) {
    return { title: "You rejected the request in your wallet.", detail: "Nothing was sent. Try again when you are ready.", code: "user-rejected" };
  }
  if (named.some((e) => e.name === "ChainMismatchError" || e.name === "ConnectorChainMismatchError")) {
    return { title: "Your wallet is on a different network.", detail: "Switch to the network this deployment lives on and try again.", code: "wrong-network" };
  }
  if (named.some((e) => e.name === "ConnectorNotConnectedError" || e.name === "ConnectorAccountNotFoundError")) {
    return { title: "No wallet is connected.", detail: "Connect a wallet first.", code: "not-connected" };
  }
  if (named.some((e) => e.name === "TransactionRevertedError")) {
    return { title: "The transaction was mined but reverted.", detail: "Nothing changed on chain. Refresh and check the current state.", code: "tx-reverted" };
  }
  if (named.some((e) => e.name === "InsufficientFundsError")) {
    return { title: "The account cannot pay for gas.", code: "insufficient-funds" };
  }
  if (named.some((e) => e.name === "HttpRequestError" || e.name === "TimeoutError")) {
    return { title: "The chain's RPC endpoint did not answer.", detail: "Check that the node is running, then retry.", code: "rpc-unreachable" };
  }
  const message = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
  return { title: message.split("\n")[0] || "Something went wrong.", code: "unknown" };
}

type Walked = { name?: string; code?: number | string };

/** The SDK's `RelayError` (matched by shape: the relayer's answer to `POST /v1/relay`). */
type RelayErrorLike = { name: "RelayError"; code: string; status: number; shortMessage?: string; message: string; field?: string | undefined; args?: readonly string[] | undefined; retryAfterSeconds?: number | undefined };

/**
 * The API relayer's refusal in words: its own codes (rate limits, nonces, an unfunded or
 * unreachable relayer, a malformed payload) and the registry's custom errors its simulation
 * hit (`SignatureExpired`, `InvalidSignature`, `KeyAlreadyRegistered`, …), decoded like a
 * wallet transaction's. Nothing was sent unless the code is `reverted`.
 */
function describeRelayError(error: RelayErrorLike, names: readonly string[]): DescribedError {
  const { code } = error;
  const said = error.shortMessage ?? error.message.split("\n")[0] ?? "";
  const d = (title: string, detail?: string): DescribedError => ({ title, detail, code });
  const fallback = "Nothing was sent. You can send it from your wallet instead.";
  // A registry error name: the relayer simulated the signed call and the registry would refuse it.
  if (/^[A-Z][A-Za-z0-9]*$/.test(code)) {
    const revert = describeRevert(code, error.args ?? [], names);
    return { ...revert, detail: [revert.detail, "The API's relayer checked it before sending: nothing was sent and no gas was spent."].filter(Boolean).join(" ") };
  }
  switch (code) {
    case "rate-limited": {
      const wait = error.retryAfterSeconds;
      return d(
        /overall/.test(said) ? "The API's relayer is at its overall limit right now." : "The API's relayer has taken as many operations from this account as it allows for now.",
        `${wait !== undefined ? `Try again in ${formatDuration(Math.max(1, wait))}` : "Try again in a minute"}, or send it from your wallet. Nothing was sent.`,
      );
    }
    case "nonce-used":
      return d("This signature's nonce was already used: the operation was submitted already, or cancelled.", "Refresh, then sign it again if it is still needed.");
    case "nonce-ahead":
      return d("The signature is for a later nonce: an earlier signed operation of this account must be submitted first.", fallback);
    case "relay-disabled":
      return d("The API does not relay signed operations (any more).", fallback);
    case "relay-unreachable":
      return d("The API's relayer could not be reached.", "Check that the reference API is running. Nothing was sent; you can send it from your wallet instead.");
    case "relayer-unfunded":
      return d("The API's relayer cannot pay for gas right now.", fallback);
    case "chain-unavailable":
      return d("The API's relayer cannot reach the chain right now.", fallback);
    case "wrong-chain":
      return d("The API relays for another chain than this deployment's.", fallback);
    case "wrong-registry":
      return d("The API relays for another registry than this deployment's.", fallback);
    case "reverted":
      return d("The relayer's transaction was mined but reverted.", "Another transaction changed the key first. Refresh and check the current state.");
    case "payload-too-large":
      return d("The signed operation is too large for the relayer.", fallback);
    case "malformed-json":
    case "invalid-body":
    case "unknown-operation":
    case "missing-field":
    case "invalid-field":
    case "unknown-field":
      return d(`The relayer refused the signed operation${error.field ? ` (${error.field})` : ""}: ${said}.`, fallback);
    default:
      return d(`The API's relayer refused: ${said}`, fallback);
  }
}

function walkAll(error: unknown): Walked[] {
  const out: Walked[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 10; depth++) {
    out.push(current as Walked);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function describeRevert(name: string, args: readonly unknown[], names: readonly string[]): DescribedError {
  const a = args as unknown as [never, never, never];
  const d = (title: string, detail?: string): DescribedError => ({ title, detail, code: name });
  switch (name) {
    // KeyRegistry
    case "KeyAlreadyRegistered":
      return d(`Key ${shortHex(a[0])} is already registered.`, "A key id can never be registered twice, not even after it was revoked. Generate a new key.");
    case "TooManyKeys":
      return d(
        `${shortHex(a[0])} already holds ${String(a[1])} unreleased lineages, the DAO's cap is ${String(a[2])}.`,
        "Revoked lineages keep their place until they are released (anyone may release them, for no more than the gas). Release yours, or revoke a lineage you no longer use, then try again.",
      );
    case "OwnerIsRevoked":
      return d(`The DAO revoked the owner ${shortHex(a[0])}: its keys are dead and it can change nothing more.`);
    case "ScopesWidened":
      return d(
        `A rotator cannot widen a key's scopes (${scopeNames(Number(a[0]), names).join(", ") || "none"} → ${scopeNames(Number(a[1]), names).join(", ") || "none"}).`,
        "Keep the old key's scopes or fewer; only the owner may add a scope.",
      );
    case "SignatureExpired":
      return d(`The signed operation's deadline ${formatDateTime(Number(a[0]))} has passed (chain time ${formatDateTime(Number(a[1]))}).`, "Ask the owner to sign it again.");
    case "InvalidSignature":
      return d(
        `The signature is not ${shortHex(a[0])}'s over this operation.`,
        "Wrong signer or parameters, another chain or registry, or a nonce already used: the owner must sign it again with its current nonce.",
      );
    case "KeyNotFound":
      return d(`No key with id ${shortHex(a[0])} is registered.`);
    case "NotKeyOwner":
      return d(`Only the key's owner ${shortHex(a[2])} can do this; you are connected as ${shortHex(a[1])}.`);
    case "NotGovernance":
      return d("Only the DAO can do this, through an executed proposal.", "Create a governance proposal instead.");
    case "NotGuardian":
      return d(`${shortHex(a[0])} is not a guardian.`, "Only guardians appointed by the DAO can suspend keys.");
    case "AlgorithmNotAllowed":
      return d(`The DAO's policy does not allow ${algorithmName(a[0])} keys.`);
    case "InvalidPublicKey":
      return d(`The public key is not a valid ${algorithmName(a[0])} key.`, "Ed25519 keys are 32 bytes; ECDSA keys 33 bytes, compressed.");
    case "InvalidProofLength":
      return d(`The proof of possession is ${Number(a[0])} bytes long; it must be a 64-byte signature.`);
    case "ScopesNotAllowed": {
      const forbidden = Number(a[0]) & ~Number(a[1]) & 0xff;
      return d(
        `The DAO's policy does not allow the scope${forbidden & (forbidden - 1) ? "s" : ""} ${scopeNames(forbidden, names).join(", ")}.`,
        `Allowed: ${scopeNames(Number(a[1]), names).join(", ") || "none"}.`,
      );
    }
    case "InvalidValidityWindow":
      return d(
        "The validity window is empty, inverted or already over.",
        `From ${formatDateTime(Number(a[0]))} to ${formatDateTime(Number(a[1]))}; chain time is ${formatDateTime(Number(a[2]))}.`,
      );
    case "LifetimeTooLong":
      return d(`A lifetime of ${formatDuration(a[0])} is longer than the DAO's maximum of ${formatDuration(a[1])}.`);
    case "OverlapTooLong":
      return d(`An overlap of ${formatDuration(a[0])} is longer than the DAO's maximum of ${formatDuration(a[1])}.`);
    case "RotationGap":
      return d(
        "The new key would start after the old one stops, leaving a gap.",
        `New key from ${formatDateTime(Number(a[0]))}; old key until ${formatDateTime(Number(a[1]))}.`,
      );
    case "InvalidLabel":
      return d("The label must be 1 to 64 bytes of UTF-8.");
    case "InvalidKeyState":
      return d(`Key ${shortHex(a[0])} is ${keyStates[Number(a[1])] ?? "in another state"}, so this is not possible.`);
    case "KeyAlreadyRotated":
      return d(`Key ${shortHex(a[0])} was already rotated to a newer version.`, "Rotate the newest version of the lineage.");
    case "KeyNotRotated":
      return d(`Key ${shortHex(a[0])} was never rotated; only a rotated-out key's overlap can be extended.`);
    case "ExpiryNotExtended":
      return d(`The new expiry ${formatDateTime(Number(a[1]))} is not later than the current one, ${formatDateTime(Number(a[0]))}.`);
    case "VersionOverflow":
      return d("This lineage has reached its last version number.", "Register a new key under a new label.");
    case "InvalidBatchSize":
      return d(`A batch of ${Number(a[0])} keys is not possible: choose between 1 and 256.`);
    case "InvalidPolicy":
      return d(
        "That policy is out of range.",
        "The maximum lifetime must be above zero, the maximum overlap at most the lifetime, and at least one known algorithm allowed.",
      );
    case "InvalidScopeName":
      return d(`Scope bit ${Number(a[0])} cannot be named "${String(a[1])}": bits go 0 to 7 and names up to 32 bytes.`);
    case "InvalidGovernance":
      return d("Governance cannot be handed to the zero address.");
    case "NotPendingGovernance":
      return d(`Only ${shortHex(a[1])}, the pending governance, can accept.`);
    // Governor
    case "GovernorUnexpectedProposalState":
      return d(
        `The proposal is ${proposalStates[Number(a[1])] ?? "in another state"}; this needs it to be ${bitmapStates(a[2], proposalStates)}.`,
        Number(a[1]) === 0 ? "Voting has not started yet: wait for the voting delay to pass." : undefined,
      );
    case "GovernorAlreadyCastVote":
      return d(`${shortHex(a[0])} has already voted on this proposal.`);
    case "GovernorNonexistentProposal":
      return d("There is no such proposal.");
    case "GovernorInsufficientProposerVotes":
      return d(`You need ${formatVotes(a[2])} votes to propose; you have ${formatVotes(a[1])}.`, "Ask token holders to delegate to you.");
    case "GovernorRestrictedProposer":
      return d("This description restricts who may submit the proposal.");
    case "GovernorInvalidProposalLength":
      return d("The proposal's targets, values and calldatas do not line up.");
    case "GovernorInvalidVoteType":
      return d("That is not a valid vote (for, against or abstain).");
    case "GovernorOnlyExecutor":
      return d("Only the timelock can do this.");
    case "GovernorNotQueuedProposal":
      return d("The proposal must be queued before it can be executed.");
    case "GovernorAlreadyQueuedProposal":
      return d("The proposal is already queued.");
    case "GovernorDisabledDeposit":
      return d("The governor does not accept ether.");
    // Timelock
    case "TimelockUnexpectedOperationState":
      return d(
        `The timelock operation is not ${bitmapStates(a[1], operationStates)}.`,
        "If it is queued, wait until its ETA has passed before executing.",
      );
    case "TimelockInsufficientDelay":
      return d(`The delay ${formatDuration(a[0])} is below the timelock minimum of ${formatDuration(a[1])}.`);
    case "TimelockUnexecutedPredecessor":
      return d("An earlier timelock operation must be executed first.");
    case "TimelockUnauthorizedCaller":
      return d(`${shortHex(a[0])} may not call the timelock directly.`);
    case "AccessControlUnauthorizedAccount":
      return d(`${shortHex(a[0])} lacks the role needed for this.`);
    // Token
    case "ERC5805FutureLookup":
      return d("Voting power is only known for past moments; wait a second and try again.");
    case "ERC20InsufficientBalance":
      return d(`The balance ${formatVotes(a[1])} is less than ${formatVotes(a[2])}.`);
    default:
      return d(`The contract refused with ${name}(${args.map(String).join(", ")}).`);
  }
}

function algorithmName(id: unknown): string {
  const alg = algorithms[Number(id) - 1];
  return alg ? algorithmLabel(alg) : `algorithm #${Number(id)}`;
}

function bitmapStates(bitmap: unknown, states: readonly string[]): string {
  const value = BigInt(bitmap as Hex);
  const names = states.filter((_, i) => (value >> BigInt(i)) & 1n);
  return names.length ? names.join(" or ") : "in a different state";
}

function formatVotes(value: unknown): string {
  const whole = BigInt(value as bigint) / 10n ** 18n;
  return whole.toLocaleString("en-US");
}
