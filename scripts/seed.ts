// `npm run seed -- --keys N [--rpc URL] [--manifest PATH] [--per-block N] [--gap N]`:
// fills a local Hardhat chain (default: the running dev stack, as the CLI finds it)
// with N registered keys with real proofs of possession, owned by the dev accounts
// and spread over many blocks, for demos and benchmarks.
import { parseArgs } from "node:util";
import { connectChain } from "../src/cli/connectChain.ts";
import { devAccounts } from "../test/helpers/localNode.ts";
import { seedKeys } from "./seed/seedKeys.ts";

const help = `Usage: npm run seed -- --keys N [--rpc URL] [--manifest PATH] [--per-block N] [--gap N]

Registers N Ed25519 keys (real proofs of possession) from the 20 Hardhat dev accounts.
  --keys N        keys to register (required)
  --rpc URL       default $KEYLEDGER_RPC_URL or http://127.0.0.1:8545 (the dev stack)
  --manifest P    default $KEYLEDGER_MANIFEST or deployments/<chainId>.json
  --per-block N   registrations per block (default 100)
  --gap N         empty blocks after each block of registrations (default 10)
`;

const { values } = parseArgs({
  options: {
    keys: { type: "string" },
    rpc: { type: "string" },
    manifest: { type: "string" },
    "per-block": { type: "string" },
    gap: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(help);
  process.exit(0);
}
const keys = Number(values.keys);
if (!values.keys || !Number.isSafeInteger(keys) || keys < 1) {
  console.error(`seed: --keys must be a whole number >= 1 (got ${values.keys ?? "nothing"}).\n\n${help}`);
  process.exit(2);
}
try {
  const chain = await connectChain({ values: { rpc: values.rpc, manifest: values.manifest } });
  const result = await seedKeys({
    rpcUrl: chain.rpcUrl,
    manifest: chain.manifest,
    keys,
    owners: devAccounts,
    perBlock: values["per-block"] === undefined ? undefined : Number(values["per-block"]),
    gap: values.gap === undefined ? undefined : Number(values.gap),
    log: (line) => console.error(line),
  });
  console.log(
    `seed: registered ${result.keys.toLocaleString("en-US")} keys in blocks ${result.firstBlock}–${result.lastBlock} of ${chain.rpcUrl} in ${result.seconds.toFixed(1)} s`,
  );
} catch (error) {
  const e = error as { shortMessage?: string; message?: string; details?: string; metaMessages?: string[] };
  console.error(`seed: ${e.shortMessage ?? e.message}${e.details ? `\n  ${e.details}` : ""}${e.metaMessages ? `\n${e.metaMessages.join("\n")}` : ""}`);
  process.exit(1);
}
