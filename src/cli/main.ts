#!/usr/bin/env node
import { CliError } from "./CliError.ts";
import { assertNoSecretFlags, type Command, formatHelp, parseCommand } from "./command.ts";
import { exitCodes } from "./exitCodes.ts";
import { reportError } from "./output.ts";

// Commands load lazily: `keyledger keyid` should not pay for viem's chain code or
// the verifier, and a command's heavy imports stay out of the others' start-up.
const commands: Record<string, () => Promise<Command>> = {
  keygen: () => import("./commands/keygen.ts").then((m) => m.keygen),
  keyid: () => import("./commands/keyid.ts").then((m) => m.keyid),
  register: () => import("./commands/register.ts").then((m) => m.register),
  rotate: () => import("./commands/rotate.ts").then((m) => m.rotate),
  "extend-overlap": () => import("./commands/extendOverlap.ts").then((m) => m.extendOverlap),
  revoke: () => import("./commands/revoke.ts").then((m) => m.revoke),
  release: () => import("./commands/release.ts").then((m) => m.release),
  relay: () => import("./commands/relay.ts").then((m) => m.relay),
  status: () => import("./commands/status.ts").then((m) => m.status),
  watch: () => import("./commands/watch.ts").then((m) => m.watch),
  agent: () => import("./commands/agent.ts").then((m) => m.agent),
  suspend: () => import("./commands/suspend.ts").then((m) => m.suspend),
  "propose-revoke": () => import("./commands/proposeRevoke.ts").then((m) => m.proposeRevoke),
  "propose-extend-suspension": () => import("./commands/proposeExtendSuspension.ts").then((m) => m.proposeExtendSuspension),
  "proposal show": () => import("./commands/proposalShow.ts").then((m) => m.proposalShow),
  "proposal list": () => import("./commands/proposalList.ts").then((m) => m.proposalList),
  "proposal vote": () => import("./commands/proposalVote.ts").then((m) => m.proposalVote),
  "proposal queue": () => import("./commands/proposalQueue.ts").then((m) => m.proposalQueue),
  "proposal execute": () => import("./commands/proposalExecute.ts").then((m) => m.proposalExecute),
  request: () => import("./commands/request.ts").then((m) => m.request),
  verify: () => import("./commands/verify.ts").then((m) => m.verify),
};

const exitCodeHelp = [
  "Exit codes:",
  `  ${exitCodes.ok}   ok`,
  `  ${exitCodes.rejected}   rejected: verify said no, status found the key unusable, request got a non-2xx answer`,
  `  ${exitCodes.usage}   usage error (bad flags or arguments; nothing was sent)`,
  `  ${exitCodes.network}   chain, manifest or network error (RPC node unreachable, wrong or stale manifest)`,
  `  ${exitCodes.reverted}   the chain refused the transaction or call (the contract error is decoded and explained)`,
  `  ${exitCodes.keyFile}   key file, keystore or wallet problem (missing, unsafe permissions, wrong password)`,
  `  ${exitCodes.internal}  internal error`,
];

async function mainHelp(): Promise<string> {
  const loaded = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, (await load()).summary] as const));
  const width = Math.max(...loaded.map(([n]) => n.length)) + 2;
  return [
    "keyledger: manage API signing keys in the on-chain KeyLedger registry, sign and verify requests.",
    "",
    "Usage: keyledger <command> [options]      keyledger <command> --help",
    "",
    "Commands:",
    ...loaded.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`),
    "",
    "Wallet (commands that send transactions): $KEYLEDGER_PRIVATE_KEY, --keystore <file> or",
    "--dev-account <n> on a local dev node. Wallet keys are never accepted as arguments.",
    "Gasless: register, rotate, revoke and extend-overlap take --relay <url> (a relayer submits",
    "what the wallet signed) or --sign-only (print the signed payload for `keyledger relay`).",
    "Chain: --rpc (default $KEYLEDGER_RPC_URL, else the running `npm start` stack found through",
    ".keyledger/dev-stack.json, else http://127.0.0.1:8545), --manifest (default $KEYLEDGER_MANIFEST,",
    "the stack's, or deployments/<chainId>.json). --json everywhere for scripts.",
    "",
    ...exitCodeHelp,
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  try {
    assertNoSecretFlags(argv);
    const [first, second] = argv;
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      process.stdout.write(await mainHelp());
      return first === undefined ? exitCodes.usage : exitCodes.ok;
    }
    if (first === "--version" || first === "-v") {
      process.stdout.write("keyledger 0.1.0\n");
      return exitCodes.ok;
    }
    let name = first;
    let rest = argv.slice(1);
    if (first === "proposal") {
      const subcommands = Object.keys(commands).filter((n) => n.startsWith("proposal ")).map((n) => n.slice(9));
      if (second === undefined || second === "--help" || second === "-h") {
        process.stdout.write(`Usage: keyledger proposal <${subcommands.join("|")}> ... (each has --help)\n`);
        return second === undefined ? exitCodes.usage : exitCodes.ok;
      }
      name = `proposal ${second}`;
      rest = argv.slice(2);
    }
    const load = commands[name];
    if (!load) {
      throw new CliError(`Unknown command "${name}".`, { exitCode: exitCodes.usage, code: "usage", metaMessages: ["Run `keyledger --help` for the list."] });
    }
    const command = await load();
    const parsed = parseCommand(command, rest);
    if (parsed.help) {
      process.stdout.write(formatHelp(command));
      return exitCodes.ok;
    }
    return await command.run(parsed.context);
  } catch (error) {
    return reportError(error, { json });
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  // Lets open sockets (viem's keep-alive) close on their own instead of cutting stdout short.
  process.exitCode = code;
}
