import { parseArgs } from "node:util";
import { usageError } from "./CliError.ts";
import { createOutput, type Output } from "./output.ts";

export type OptionDefinition = {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. "<file>". */
  value?: string;
  description: string;
};

/** Option groups shared by several commands, so that they mean the same everywhere. */
export type OptionGroup = "chain" | "wallet" | "relay";

export type CommandValues = Record<string, string | boolean | string[] | undefined>;

export type CommandContext = { values: CommandValues; positionals: string[]; out: Output };

export type Command = {
  name: string;
  summary: string;
  /** Usage lines without the leading "keyledger ". */
  usage: string[];
  /** Paragraphs printed between usage and options. */
  description?: string[];
  options: Record<string, OptionDefinition>;
  groups: OptionGroup[];
  /** Largest number of positional arguments accepted (Infinity for lists). */
  maxPositionals: number;
  examples: string[];
  run(context: CommandContext): Promise<number>;
};

export const groupOptions: Record<OptionGroup, Record<string, OptionDefinition>> = {
  chain: {
    rpc: { type: "string", value: "<url>", description: "JSON-RPC endpoint (default: $KEYLEDGER_RPC_URL, the running `npm start` stack, or http://127.0.0.1:8545)" },
    manifest: {
      type: "string",
      value: "<file>",
      description: "deployment manifest (default: $KEYLEDGER_MANIFEST, the running `npm start` stack's, or deployments/<chainId>.json)",
    },
  },
  wallet: {
    keystore: {
      type: "string",
      value: "<file>",
      description: "wallet: encrypted JSON keystore (password from $KEYLEDGER_KEYSTORE_PASSWORD or a prompt) or a 0600 file holding the hex private key",
    },
    "dev-account": {
      type: "string",
      value: "<n>",
      description: "wallet: the node's unlocked account number n (local dev chain only; no key needed)",
    },
  },
  relay: {
    "sign-only": {
      type: "boolean",
      description: "gasless: sign the operation (EIP-712, the wallet's nonce) and print the payload JSON instead of sending; submit it with `keyledger relay`",
    },
    relay: {
      type: "string",
      value: "<url>",
      description: "gasless: sign and submit through the relayer at <url> (an API with POST /v1/relay; `npm start` runs one); the wallet needs no ETH",
    },
    deadline: { type: "string", value: "<duration>", description: "with --sign-only or --relay: how long the signature may be submitted, from chain time (default 1h)" },
  },
};

const commonOptions: Record<string, OptionDefinition> = {
  json: { type: "boolean", description: "machine-readable JSON output on stdout (errors as JSON on stderr)" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

// Wallet secrets passed as arguments end up in shell history and in `ps` output.
const secretFlags = ["--private-key", "--privatekey", "--private_key", "--pk", "--secret-key", "--mnemonic", "--seed", "--password"];

export function allOptions(command: Command): Record<string, OptionDefinition> {
  return Object.assign({}, command.options, ...command.groups.map((g) => groupOptions[g]), commonOptions);
}

export type ParsedCommand = { help: true } | { help: false; context: CommandContext };

/** Refuses wallet secrets passed as flags, before any command code runs. */
export function assertNoSecretFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === "--") break;
    const flag = arg.split("=")[0]!.toLowerCase();
    if (secretFlags.includes(flag)) {
      throw usageError(`${flag} is not accepted: wallet keys and passwords are never read from the command line.`, [
        "Set KEYLEDGER_PRIVATE_KEY in the environment, or use --keystore <file> (mode 0600).",
      ]);
    }
  }
}

export function parseCommand(command: Command, argv: string[]): ParsedCommand {
  assertNoSecretFlags(argv);
  const options = allOptions(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${command.name}: ${(error as Error).message.split("\n")[0]}`);
  }
  const values = parsed.values as CommandValues;
  if (values.help) return { help: true };
  if (parsed.positionals.length > command.maxPositionals) {
    throw usageError(`${command.name}: unexpected argument "${redactSecret(parsed.positionals[command.maxPositionals]!)}".`);
  }
  return { help: false, context: { values, positionals: parsed.positionals, out: createOutput({ json: values.json === true }) } };
}

export function formatHelp(command: Command): string {
  const lines = [`keyledger ${command.name}: ${command.summary}`, "", "Usage:"];
  for (const u of command.usage) lines.push(`  keyledger ${u}`);
  if (command.description?.length) lines.push("", ...command.description);
  const options = allOptions(command);
  const heads = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    return [`${short}--${name}${o.value ? ` ${o.value}` : ""}${o.multiple ? " ..." : ""}`, o.description] as const;
  });
  const width = Math.max(...heads.map(([h]) => h.length)) + 2;
  lines.push("", "Options:");
  for (const [head, description] of heads) lines.push(`  ${head.padEnd(width)}${description}`);
  if (command.examples.length) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** A string option's value, or a usage error naming the missing flag. */
export function requireString(values: CommandValues, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw usageError(`${command}: --${name} is required.`);
  return value;
}

export function optionalString(values: CommandValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** Hides a value shaped like a private key (64 hex digits) that was typed where it does not belong. */
export function redactSecret(text: string): string {
  return /^(0x)?[0-9a-fA-F]{64}$/.test(text.trim()) ? "<64 hex digits, not shown>" : text;
}
