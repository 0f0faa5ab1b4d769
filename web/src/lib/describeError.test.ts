import {
  type Abi,
  ChainMismatchError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  pad,
  toHex,
  TransactionExecutionError,
  UserRejectedRequestError,
} from "viem";
import { hardhat, mainnet } from "viem/chains";
import { describe, expect, it } from "vitest";
import { errorsAbi } from "../chain/contractsAbi.ts";
import { describeError } from "./describeError.ts";

const abi = errorsAbi as Abi;
const names = ["read", "trade", "withdraw", "admin"];

/** What viem throws when a simulated call reverts with this custom error. */
function reverted(errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args });
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "register" });
  return new ContractFunctionExecutionError(cause, { abi, functionName: "register", args: [] });
}

describe("describeError: the registry's custom errors", () => {
  it.each([
    ["LifetimeTooLong", [400n * 86_400n, 365n * 86_400n], "A lifetime of 400 d is longer than the DAO's maximum of 365 d."],
    ["OverlapTooLong", [31n * 86_400n, 30n * 86_400n], "An overlap of 31 d is longer than the DAO's maximum of 30 d."],
    ["ScopesNotAllowed", [0b1100, 0b0011], "The DAO's policy does not allow the scopes withdraw, admin."],
    ["ScopesNotAllowed", [0b0101, 0b0001], "The DAO's policy does not allow the scope withdraw."],
    ["AlgorithmNotAllowed", [3], "The DAO's policy does not allow ECDSA secp256k1 keys."],
    ["InvalidKeyState", [pad("0xab"), 3], "Key 0x0000…00ab is revoked, so this is not possible."],
    ["InvalidProofLength", [0n], "The proof of possession is 0 bytes long; it must be a 64-byte signature."],
    ["InvalidLabel", [""], "The label must be 1 to 64 bytes of UTF-8."],
    ["NotGovernance", ["0x0000000000000000000000000000000000000001"], "Only the DAO can do this, through an executed proposal."],
    ["InvalidBatchSize", [300n], "A batch of 300 keys is not possible: choose between 1 and 256."],
    ["ScopesWidened", [0b0001, 0b0011], "A rotator cannot widen a key's scopes (read → read, trade)."],
    ["OwnerIsRevoked", ["0x0000000000000000000000000000000000000001"], "The DAO revoked the owner 0x0000…0001: its keys are dead and it can change nothing more."],
    ["InvalidSignature", ["0x0000000000000000000000000000000000000001"], "The signature is not 0x0000…0001's over this operation."],
    ["TooManyKeys", ["0x0000000000000000000000000000000000000001", 100n, 100n], "0x0000…0001 already holds 100 unreleased lineages, the DAO's cap is 100."],
  ] as const)("%s", (errorName, args, title) => {
    const described = describeError({ error: reverted(errorName, args), scopeNames: names });
    expect(described.code).toBe(errorName);
    expect(described.title).toBe(title);
  });

  it("puts the owner and the caller into NotKeyOwner", () => {
    const error = reverted("NotKeyOwner", [pad("0x01"), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]);
    expect(describeError({ error }).title).toBe("Only the key's owner 0xf39F…2266 can do this; you are connected as 0x7099…79C8.");
  });

  it("gives dates for a bad validity window", () => {
    const described = describeError({ error: reverted("InvalidValidityWindow", [2_000_000_000, 1_900_000_000, 1_795_829_235n]) });
    expect(described.title).toBe("The validity window is empty, inverted or already over.");
    expect(described.detail).toMatch(/^From .+ to .+; chain time is .+\.$/);
  });
});

describe("describeError: the DAO's errors", () => {
  it("names the proposal states a governor call needed", () => {
    const expected = pad(toHex((1 << 1) | (1 << 4)), { size: 32 }); // Active or Succeeded
    const described = describeError({ error: reverted("GovernorUnexpectedProposalState", [1n, 0, expected]) });
    expect(described.title).toBe("The proposal is Pending; this needs it to be Active or Succeeded.");
    expect(described.detail).toContain("voting delay");
  });

  it("explains an execution before the timelock's ETA", () => {
    const ready = pad(toHex(1 << 2), { size: 32 });
    const described = describeError({ error: reverted("TimelockUnexpectedOperationState", [pad("0x01"), ready]) });
    expect(described.title).toBe("The timelock operation is not Ready.");
    expect(described.detail).toContain("ETA");
  });

  it("shows votes in whole tokens", () => {
    const described = describeError({ error: reverted("GovernorInsufficientProposerVotes", ["0x0000000000000000000000000000000000000001", 5n * 10n ** 18n, 1_000n * 10n ** 18n]) });
    expect(described.title).toBe("You need 1,000 votes to propose; you have 5.");
  });

  it("falls back to the error's name and values for an error it has no words for", () => {
    const described = describeError({ error: reverted("ERC20InvalidSender", ["0x0000000000000000000000000000000000000000"]) });
    expect(described).toMatchObject({ code: "ERC20InvalidSender", title: "The contract refused with ERC20InvalidSender(0x0000000000000000000000000000000000000000)." });
  });
});

describe("describeError: wallets and transport", () => {
  it("recognizes a rejection in the wallet, however deeply wrapped", () => {
    const rejected = new UserRejectedRequestError(new Error("User denied transaction signature."));
    const wrapped = new TransactionExecutionError(rejected, { account: null, chain: hardhat });
    expect(describeError({ error: wrapped })).toMatchObject({ code: "user-rejected", title: "You rejected the request in your wallet." });
    expect(describeError({ error: Object.assign(new Error("denied"), { code: 4001 }) }).code).toBe("user-rejected");
  });

  it("recognizes a wallet on the wrong network", () => {
    const error = new ChainMismatchError({ chain: hardhat, currentChainId: mainnet.id });
    expect(describeError({ error }).code).toBe("wrong-network");
  });

  it("recognizes an unreachable node", () => {
    const error = new HttpRequestError({ url: "http://127.0.0.1:1", body: {}, details: "fetch failed" });
    expect(describeError({ error })).toMatchObject({ code: "rpc-unreachable" });
  });

  it("keeps the first line of anything else", () => {
    expect(describeError({ error: new Error("Something odd\nwith a stack") })).toEqual({ title: "Something odd", code: "unknown" });
    expect(describeError({ error: "plain string" }).title).toBe("plain string");
  });
});
