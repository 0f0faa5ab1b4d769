import { BaseError, type BaseErrorParameters } from "../errors/BaseError.ts";
import { type ExitCode, exitCodes } from "./exitCodes.ts";

export type CliErrorParameters = BaseErrorParameters & { exitCode: ExitCode; code?: string | undefined };

/** An error the CLI reports to the user and turns into an exit code. */
export class CliError extends BaseError {
  override name = "CliError";
  readonly exitCode: ExitCode;
  /** Machine-readable cause for `--json` output, e.g. "usage", "KeyAlreadyRegistered". */
  readonly code: string;

  constructor(shortMessage: string, { exitCode, code, ...rest }: CliErrorParameters) {
    super(shortMessage, rest);
    this.exitCode = exitCode;
    this.code = code ?? codeOf(exitCode);
  }
}

function codeOf(exitCode: ExitCode): string {
  for (const [name, value] of Object.entries(exitCodes)) if (value === exitCode) return name;
  return "error";
}

export function usageError(message: string, metaMessages?: string[]): CliError {
  return new CliError(message, { exitCode: exitCodes.usage, metaMessages: [...(metaMessages ?? []), "Run with --help for usage."] });
}
