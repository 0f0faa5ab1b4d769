import { type Address, type Hex, parseEventLogs, type PublicClient } from "viem";
import { keyLedgerGovernorAbi, keyRegistryAbi } from "../../../src/generated/abis.ts";
import { applyRegistryLogs, emptyRegistryIndex, type RegistryIndex, type RegistryLog } from "./registryIndex.ts";

export type ProposalCreated = {
  proposalId: bigint;
  proposer: Address;
  description: string;
  blockNumber: bigint;
  transactionHash: Hex;
};

export type ChainSnapshot = {
  head: { number: bigint; timestamp: number };
  registry: RegistryIndex;
  /** ProposalCreated events by proposal id: GovernorStorage keeps the proposal, not its text. */
  proposalsCreated: ReadonlyMap<bigint, ProposalCreated>;
};

export type CreateChainIndexerParameters = {
  client: PublicClient;
  registry: Address;
  governor: Address;
  deploymentBlock: bigint;
  deploymentBlockHash: Hex;
  /** Largest block range per eth_getLogs call (public RPCs cap it). */
  maxRange?: bigint | undefined;
};

/**
 * Keeps the registry's state (and the DAO's proposal texts) in memory from
 * logs: the first sync reads from the deployment block, later ones only the new
 * blocks. A chain that went backwards (a restarted dev node) is read again from
 * scratch; a chain whose deployment block differs from the manifest's is refused.
 */
export function createChainIndexer({
  client,
  registry,
  governor,
  deploymentBlock,
  deploymentBlockHash,
  maxRange = 10_000n,
}: CreateChainIndexerParameters) {
  let synced = deploymentBlock - 1n;
  let snapshot: ChainSnapshot | undefined;
  let verified = false;

  async function sync(): Promise<ChainSnapshot> {
    const head = await client.getBlock({ blockTag: "latest" });
    if (!verified || head.number < synced) {
      const block = await client.getBlock({ blockNumber: deploymentBlock }).catch(() => undefined);
      if (!block || block.hash !== deploymentBlockHash) throw new DeploymentMismatchError();
      verified = true;
      if (head.number < synced) {
        synced = deploymentBlock - 1n;
        snapshot = undefined;
      }
    }
    let registryIndex = snapshot?.registry ?? emptyRegistryIndex;
    let created = snapshot?.proposalsCreated ?? new Map<bigint, ProposalCreated>();
    for (let from = synced + 1n; from <= head.number; from += maxRange) {
      const to = from + maxRange - 1n < head.number ? from + maxRange - 1n : head.number;
      const logs = await client.getLogs({ address: [registry, governor], fromBlock: from, toBlock: to });
      const registryLogs = parseEventLogs({ abi: keyRegistryAbi, logs: logs.filter((l) => sameAddress(l.address, registry)) });
      registryIndex = applyRegistryLogs(registryIndex, registryLogs as unknown as RegistryLog[]);
      const governorLogs = parseEventLogs({
        abi: keyLedgerGovernorAbi,
        eventName: "ProposalCreated",
        logs: logs.filter((l) => sameAddress(l.address, governor)),
      });
      if (governorLogs.length) {
        const next = new Map(created);
        for (const log of governorLogs) {
          next.set(log.args.proposalId, {
            proposalId: log.args.proposalId,
            proposer: log.args.proposer,
            description: log.args.description,
            blockNumber: log.blockNumber,
            transactionHash: log.transactionHash,
          });
        }
        created = next;
      }
      synced = to;
    }
    const sameHead = snapshot && snapshot.head.number === head.number && snapshot.registry === registryIndex;
    if (!sameHead) {
      snapshot = { head: { number: head.number, timestamp: Number(head.timestamp) }, registry: registryIndex, proposalsCreated: created };
    }
    return snapshot!;
  }

  return { sync };
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export class DeploymentMismatchError extends Error {
  override name = "DeploymentMismatchError";
  constructor() {
    super("The chain does not hold this deployment: its deployment block is missing or different (was the local node restarted?). Redeploy, then reload.");
  }
}
