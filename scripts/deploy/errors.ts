import { BaseError } from "../../src/errors/BaseError.ts";

export class NodeUnreachableError extends BaseError {
  override name = "NodeUnreachableError";
  constructor({ rpcUrl, cause }: { rpcUrl: string; cause?: unknown }) {
    super(`Cannot reach a JSON-RPC node at ${rpcUrl}.`, {
      cause,
      metaMessages: ["Start the local stack with `npm start`, or pass the URL of a running node with --rpc."],
      details: firstLine(cause),
    });
  }
}

export class ArtifactsMissingError extends BaseError {
  override name = "ArtifactsMissingError";
  constructor({ path, cause }: { path: string; cause?: unknown }) {
    super(`Contract artifact ${path} is missing or unreadable: run \`npm run compile\` first.`, { cause });
  }
}

export class WrongChainError extends BaseError {
  override name = "WrongChainError";
  constructor({ rpcUrl, expected, actual, reason }: { rpcUrl: string; expected: number; actual: number; reason: string }) {
    super(`The node at ${rpcUrl} is chain ${actual}, but ${reason} chain ${expected}.`, {
      metaMessages: ["Check --rpc, --chain-id and --manifest."],
    });
  }
}

export class DeployerUnavailableError extends BaseError {
  override name = "DeployerUnavailableError";
  constructor({ rpcUrl, accountIndex, available }: { rpcUrl: string; accountIndex: number; available: number }) {
    super(`The node at ${rpcUrl} has no unlocked account #${accountIndex} (it has ${available}).`, {
      metaMessages: ["On a chain without unlocked accounts, put the deployer's private key in KEYLEDGER_DEPLOYER_KEY."],
    });
  }
}

export class InvalidDeploymentParametersError extends BaseError {
  override name = "InvalidDeploymentParametersError";
  constructor({ problems }: { problems: string[] }) {
    super("Invalid deployment parameters.", { metaMessages: problems.map((p) => `- ${p}`) });
  }
}

export class UnsafeDistributionError extends BaseError {
  override name = "UnsafeDistributionError";
  readonly chainId: number;
  readonly holders: readonly string[];
  constructor({ chainId, holders }: { chainId: number; holders: readonly string[] }) {
    super(
      holders.length
        ? `Refusing to deploy to chain ${chainId} with a single token holder (${holders[0]}): it alone would control the DAO.`
        : `Refusing to deploy to chain ${chainId} without an explicit token distribution: by default the deployer would hold 100% of the votes.`,
      {
        metaMessages: [
          "Give the holders and amounts with --distribution FILE (JSON: {\"0xHolder\": \"600000\", ...}, KLG), or an even split with --holders a,b,...;",
          "or pass --single-holder to accept one holder deliberately (e.g. a multisig). See docs/deploy.md.",
        ],
      },
    );
    this.chainId = chainId;
    this.holders = holders;
  }
}

export class DeploymentFailedError extends BaseError {
  override name = "DeploymentFailedError";
  constructor({ step, hash, cause }: { step: string; hash?: string | undefined; cause?: unknown }) {
    super(`Deployment step "${step}" failed.`, {
      cause,
      details: firstLine(cause),
      metaMessages: hash ? [`Transaction: ${hash}`] : undefined,
    });
  }
}

// viem's and our errors both carry a one-line `shortMessage`; others fall back to the first line.
function firstLine(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const short = (cause as { shortMessage?: unknown }).shortMessage;
  return typeof short === "string" ? short : cause.message.split("\n")[0];
}
