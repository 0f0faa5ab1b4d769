import { relative } from "node:path";
import { type Address, createPublicClient, createWalletClient, formatEther, http } from "viem";
import { contractNames } from "../../src/chain/manifest.ts";
import { algorithmFromChain } from "../../src/keys/index.ts";
import type { StartedService } from "./runDevStack.ts";
import type { DevContext } from "./types.ts";

const shownAccounts = 10;

/** The human summary printed once the stack runs. Private keys are never printed. */
export async function devSummary(context: DevContext, started: readonly StartedService[]): Promise<string> {
  const { rpcUrl, chainId, manifest, manifestPath } = context;
  if (!rpcUrl || !manifest || !manifestPath) return "KeyLedger dev stack is running.";
  const rel = (path: string) => relative(process.cwd(), path) || path;
  const lines: string[] = ["", "KeyLedger dev stack is running.", ""];
  lines.push(`  RPC URL     ${rpcUrl}   (chain id ${chainId})`);
  lines.push(`  Manifest    ${rel(manifestPath)}`);
  lines.push(`  Node log    ${rel(`${context.stateDir}/node.log`)}`);

  const notes: Partial<Record<(typeof contractNames)[number], string>> = {
    KeyLedgerToken: "KLG voting token",
    KeyLedgerTimelock: "executes DAO proposals; governs the registry",
    KeyLedgerGovernor: "the DAO",
  };
  lines.push("", `Contracts (deployed in block ${manifest.deploymentBlock})`);
  for (const name of contractNames) {
    lines.push(`  ${name.padEnd(19)} ${manifest.contracts[name].address}${notes[name] ? `   ${notes[name]}` : ""}`);
  }

  const g = manifest.governance;
  const p = manifest.policy;
  const algorithms = [1, 2, 3].filter((bit) => p.allowedAlgorithms & (1 << bit)).map(algorithmFromChain);
  const scopes = manifest.scopes.map((name, bit) => `${bit} ${name}`);
  lines.push(
    "",
    `DAO       voting delay ${duration(g.votingDelay)}, voting period ${duration(g.votingPeriod)}, quorum ${g.quorumPercent}%,` +
      ` timelock ${duration(g.timelockDelay)}, proposal threshold ${klg(BigInt(g.proposalThreshold))} KLG`,
    `Policy    key lifetime <= ${duration(p.maxLifetime)}, rotation overlap <= ${duration(p.maxOverlap)}, algorithms ${algorithms.join(", ") || "none"}`,
    `Scopes    ${scopes.join(", ") || "none"} (allowed mask 0x${p.allowedScopes.toString(16).padStart(2, "0")})`,
  );

  const client = createPublicClient({ transport: http(rpcUrl) });
  const accounts = await createWalletClient({ transport: http(rpcUrl) }).getAddresses();
  const token = manifest.contracts.KeyLedgerToken;
  const read = (functionName: string, account: Address) =>
    client.readContract({ address: token.address, abi: token.abi, functionName, args: [account] }) as Promise<bigint>;
  lines.push("", `Dev accounts (unlocked on this node: ${accounts.length} in all, the first ${shownAccounts} shown)`);
  for (const [index, account] of accounts.slice(0, shownAccounts).entries()) {
    const [balance, votes] = await Promise.all([read("balanceOf", account), read("getVotes", account)]);
    const roles = [
      account.toLowerCase() === manifest.deployer.toLowerCase() ? "deployer" : "",
      manifest.guardians.some((a) => a.toLowerCase() === account.toLowerCase()) ? "guardian" : "",
    ].filter(Boolean);
    const holdings = balance || votes ? `${klg(balance)} KLG, ${klg(votes)} votes` : "";
    lines.push(`  #${String(index).padEnd(2)} ${account}  ${holdings.padEnd(30)} ${roles.join(", ")}`.trimEnd());
  }
  lines.push(
    "  Tools send from these accounts by address through the RPC URL (eth_sendTransaction); no key",
    '  is needed, e.g. viem createWalletClient({ account: "0x...", transport: http(rpcUrl) }).',
    "  They are Hardhat's publicly known test accounts: use them on this local chain only.",
  );

  lines.push("", "Services");
  for (const { name, service } of started) if (service.url) lines.push(`  ${name.padEnd(19)} ${service.url}`);

  lines.push(
    "",
    "Next steps",
    `  - Wallet: add a network with RPC URL ${rpcUrl} and chain id ${chainId} (currency ETH).`,
    `  - A DAO proposal needs ${duration(g.votingDelay)} + ${duration(g.votingPeriod)} + ${duration(g.timelockDelay)} of chain time;` +
      " skip ahead with the JSON-RPC calls evm_increaseTime and evm_mine.",
    "  - Other parameters: e.g. KEYLEDGER_VOTING_PERIOD=60 npm start (all flags: node scripts/deploy.ts --help).",
    "  - Tests: npm test",
  );
  for (const { service } of started) for (const step of service.nextSteps ?? []) lines.push(`  - ${step}`);
  lines.push("", "Press Ctrl-C to stop.");
  return lines.join("\n");
}

/** One JSON line for scripts and tests that drive `node scripts/dev.ts --json`. */
export async function devSummaryJson(context: DevContext, started: readonly StartedService[]): Promise<string> {
  const { manifest } = context;
  return JSON.stringify({
    ready: true,
    rpcUrl: context.rpcUrl,
    chainId: context.chainId,
    manifestPath: context.manifestPath,
    contracts: manifest ? Object.fromEntries(contractNames.map((name) => [name, manifest.contracts[name].address])) : {},
    services: Object.fromEntries(started.filter((s) => s.service.url).map((s) => [s.name, s.service.url])),
  });
}

function klg(wei: bigint): string {
  const [whole = "0", fraction] = formatEther(wei).split(".");
  return `${BigInt(whole).toLocaleString("en-US")}${fraction ? `.${fraction}` : ""}`;
}

function duration(seconds: number): string {
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
