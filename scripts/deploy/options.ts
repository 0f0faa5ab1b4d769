import { readFileSync } from "node:fs";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { type Address, getAddress, isAddress, parseEther } from "viem";
import { algorithms, algorithmToChain, isAlgorithm } from "../../src/keys/index.ts";
import { InvalidDeploymentParametersError } from "./errors.ts";
import type { DeploymentParametersInput, Holding } from "./parameters.ts";

type Setter = (params: DeploymentParametersInput, value: string) => void;
type ParameterOption = { name: string; value: string; help: string; set: Setter };

/**
 * The deployment parameters as command-line flags. Each flag also reads the
 * environment variable KEYLEDGER_<NAME> (e.g. --voting-period / KEYLEDGER_VOTING_PERIOD);
 * a flag wins over the variable, which wins over the chain's default.
 */
export const parameterOptions: readonly ParameterOption[] = [
  { name: "voting-delay", value: "duration", help: "time between proposing and voting (local 1s, else 1d)", set: (p, v) => (p.votingDelay = duration(v)) },
  { name: "voting-period", value: "duration", help: "how long voting stays open (local 300s, else 7d)", set: (p, v) => (p.votingPeriod = duration(v)) },
  { name: "quorum", value: "percent", help: "quorum in % of the supply (4)", set: (p, v) => (p.quorumPercent = integer(v, "quorum")) },
  { name: "timelock-delay", value: "duration", help: "time between queueing and executing (local 60s, else 2d)", set: (p, v) => (p.timelockDelay = duration(v)) },
  { name: "proposal-threshold", value: "KLG", help: "votes needed to propose (local 0, else 1000)", set: (p, v) => (p.proposalThreshold = klg(v)) },
  { name: "supply", value: "KLG", help: "total token supply (1000000)", set: (p, v) => (p.tokenSupply = klg(v)) },
  { name: "holders", value: "addresses", help: "accounts that share the supply evenly (local: dev accounts 0..4)", set: (p, v) => (p.holders = addresses(v)) },
  {
    name: "distribution",
    value: "file",
    help: 'JSON file {"0xHolder": "KLG amount", ...}; the supply defaults to the sum',
    set: (p, v) => (p.distribution = distributionFile(v)),
  },
  { name: "max-lifetime", value: "duration", help: "longest key validity window (365d)", set: (p, v) => (policy(p).maxLifetime = duration(v)) },
  { name: "max-overlap", value: "duration", help: "longest rotation overlap (30d)", set: (p, v) => (policy(p).maxOverlap = duration(v)) },
  {
    name: "max-suspension",
    value: "duration",
    help: "how long a guardian's suspension lasts unless the DAO extends it (14d; local 1d)",
    set: (p, v) => (policy(p).maxSuspension = duration(v)),
  },
  {
    name: "max-keys-per-owner",
    value: "integer",
    help: "live key lineages one owner may hold (1000; local 65535)",
    set: (p, v) => (policy(p).maxKeysPerOwner = integer(v, "max-keys-per-owner")),
  },
  {
    name: "algorithms",
    value: "names",
    help: `allowed key algorithms (${algorithms.join(",")})`,
    set: (p, v) => (policy(p).allowedAlgorithms = algorithmMask(v)),
  },
  { name: "scopes", value: "names", help: "names of scope bits 0,1,... (read,trade,withdraw,admin)", set: (p, v) => (p.scopes = list(v)) },
  { name: "allowed-scopes", value: "mask", help: "allowed scope bits (default: every named bit)", set: (p, v) => (policy(p).allowedScopes = integer(v, "allowed-scopes")) },
  { name: "guardians", value: "addresses", help: "guardian accounts, or none (local: dev account 9)", set: (p, v) => (p.guardians = addresses(v)) },
];

/** `util.parseArgs` option definitions of `parameterOptions`. */
export const parameterParseArgsOptions = Object.fromEntries(parameterOptions.map((o) => [o.name, { type: "string" as const }]));

export type ParametersFromOptionsParameters = {
  values: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
};

/** Builds deployment parameter overrides from parsed flags and the environment. */
export function parametersFromOptions({ values, env }: ParametersFromOptionsParameters): DeploymentParametersInput {
  const params: DeploymentParametersInput = {};
  const problems: string[] = [];
  for (const option of parameterOptions) {
    const variable = `KEYLEDGER_${option.name.toUpperCase().replaceAll("-", "_")}`;
    const flag = values[option.name];
    const value = typeof flag === "string" ? flag : env[variable];
    if (value === undefined || value === "") continue;
    try {
      option.set(params, value);
    } catch (error) {
      problems.push(`${typeof flag === "string" ? `--${option.name}` : variable}: ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new InvalidDeploymentParametersError({ problems });
  return params;
}

/**
 * Parses a script's argv: its own `options` plus the deployment parameters. Prints
 * the help (exit code 0) or the parse error (exit code 2) and returns the exit code
 * in those cases, else the parsed values.
 */
export function parseScriptArgs({ options, help }: { options: ParseArgsOptionsConfig; help: string }): Record<string, string | boolean | undefined> | number {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ options: { ...options, ...parameterParseArgsOptions }, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\nRun with --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  return values;
}

/** Help lines for `parameterOptions`. */
export function parameterOptionsHelp(): string {
  return parameterOptions.map((o) => `  --${`${o.name} <${o.value}>`.padEnd(30)} ${o.help}`).join("\n");
}

function policy(params: DeploymentParametersInput): NonNullable<DeploymentParametersInput["policy"]> {
  params.policy ??= {};
  return params.policy;
}

const units: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

// Seconds, or a number with a unit: 90s, 5m, 12h, 30d, 1w.
function duration(value: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration (e.g. 300, 5m, 30d)`);
  return Number(match[1]) * units[match[2] || "s"]!;
}

function integer(value: string, name: string): number {
  if (!/^(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(value.trim())) throw new Error(`${name} must be an integer, got "${value}"`);
  return Number(value.trim());
}

function klg(value: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value.trim())) throw new Error(`"${value}" is not a KLG amount`);
  return parseEther(value.trim());
}

function list(value: string): string[] {
  return value.trim() === "" || value.trim() === "none" ? [] : value.split(",").map((s) => s.trim());
}

function addresses(value: string): Address[] {
  return list(value).map((a) => {
    if (!isAddress(a, { strict: false })) throw new Error(`"${a}" is not an address`);
    return getAddress(a);
  });
}

// A JSON object from holder address to a KLG amount (a decimal string, so no float rounding).
function distributionFile(path: string): Holding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${path} as JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw new Error(`${path} must hold a non-empty JSON object {"0xHolder": "KLG amount", ...}`);
  }
  return Object.entries(parsed).map(([holder, amount]) => {
    if (!isAddress(holder, { strict: false })) throw new Error(`${path}: "${holder}" is not an address`);
    if (typeof amount !== "string") throw new Error(`${path}: the amount for ${holder} must be a string such as "600000"`);
    return { holder: getAddress(holder), amount: klg(amount) };
  });
}

function algorithmMask(value: string): number {
  return list(value).reduce((mask, name) => {
    if (!isAlgorithm(name)) throw new Error(`unknown algorithm "${name}" (known: ${algorithms.join(", ")})`);
    return mask | (1 << algorithmToChain(name));
  }, 0);
}
