import { type Address, type Hex, keccak256, stringToHex, type TransactionReceipt } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { keyLedgerGovernorAbi } from "../../src/generated/abis.ts";
import { localClients } from "./clients.ts";
import { devAccounts, increaseTime } from "./localNode.ts";

export type ProposalAction = { target: Address; data: Hex; value?: bigint | undefined };

export type PassProposalParameters = {
  rpcUrl: string;
  manifest: DeploymentManifest;
  actions: readonly ProposalAction[];
  /** Must differ between proposals with the same actions (it is part of the proposal id). */
  description: string;
  /** Default: dev account 1. */
  proposer?: Address | undefined;
  /** They all vote for; default: dev accounts 0..4, the local token holders. */
  voters?: readonly Address[] | undefined;
};

export type PassProposalReturnType = { proposalId: bigint; receipt: TransactionReceipt };

/**
 * Takes a proposal through the whole DAO cycle on a local node: propose, vote,
 * queue, execute, skipping the voting delay, voting period and timelock delay
 * with time travel. Throws if any step reverts.
 */
export async function passProposal(parameters: PassProposalParameters): Promise<PassProposalReturnType> {
  const { rpcUrl, manifest, actions, description, proposer = devAccounts[1], voters = devAccounts.slice(0, 5) } = parameters;
  const { publicClient, walletClient } = localClients(rpcUrl);
  const governor = { address: manifest.contracts.KeyLedgerGovernor.address, abi: keyLedgerGovernorAbi } as const;
  const targets = actions.map((a) => a.target);
  const values = actions.map((a) => a.value ?? 0n);
  const calldatas = actions.map((a) => a.data);
  const descriptionHash = keccak256(stringToHex(description));
  const send = async (step: string, hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`${step} reverted`);
    return receipt;
  };
  const now = async () => (await publicClient.getBlock()).timestamp;
  const advancePast = async (timepoint: bigint) => {
    const current = await now();
    if (current <= timepoint) await increaseTime(rpcUrl, Number(timepoint - current) + 1);
  };

  await send("propose", walletClient.writeContract({ ...governor, account: proposer, functionName: "propose", args: [targets, values, calldatas, description] }));
  const proposalId = await publicClient.readContract({ ...governor, functionName: "hashProposal", args: [targets, values, calldatas, descriptionHash] });
  await advancePast(await publicClient.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }));
  for (const voter of voters) {
    await send("castVote", walletClient.writeContract({ ...governor, account: voter, functionName: "castVote", args: [proposalId, 1] }));
  }
  await advancePast(await publicClient.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }));
  await send("queue", walletClient.writeContract({ ...governor, account: proposer, functionName: "queue", args: [targets, values, calldatas, descriptionHash] }));
  const eta = await publicClient.readContract({ ...governor, functionName: "proposalEta", args: [proposalId] });
  await advancePast(eta - 1n);
  const receipt = await send(
    "execute",
    walletClient.writeContract({ ...governor, account: proposer, functionName: "execute", args: [targets, values, calldatas, descriptionHash] }),
  );
  return { proposalId, receipt };
}
