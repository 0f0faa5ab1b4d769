import { BaseError } from "../errors/BaseError.ts";
import { CliError } from "./CliError.ts";
import { exitCodes } from "./exitCodes.ts";

export type Output = {
  readonly json: boolean;
  /** Prints the command's result: `human` lines normally, `data` as one JSON document with --json. */
  result(human: string | readonly string[], data: unknown): void;
  /** One NDJSON record (with --json) or one human line, for streaming commands. */
  line(human: string, data: unknown): void;
  /** Progress and warnings, on stderr so that stdout stays parseable. */
  note(text: string): void;
};

export function createOutput({ json }: { json: boolean }): Output {
  return {
    json,
    result(human, data) {
      if (json) process.stdout.write(`${toJson(data, 2)}\n`);
      else process.stdout.write(`${typeof human === "string" ? human : human.join("\n")}\n`);
    },
    line(human, data) {
      process.stdout.write(`${json ? toJson(data) : human}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

/** JSON with bigints as decimal strings (uint256 values do not fit a JSON number). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Prints an error on stderr (JSON with --json) and returns the exit code to use. */
export function reportError(error: unknown, { json }: { json: boolean }): number {
  const exitCode = error instanceof CliError ? error.exitCode : exitCodes.internal;
  const code = error instanceof CliError ? error.code : "internal";
  const message = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
  if (json) {
    const meta = error instanceof BaseError ? error.metaMessages : undefined;
    process.stderr.write(`${toJson({ error: code, message, ...(meta?.length ? { hints: meta } : {}), exitCode })}\n`);
  } else {
    const text = error instanceof BaseError ? error.message : message;
    process.stderr.write(`keyledger: ${text}\n`);
    if (!(error instanceof CliError) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
  return exitCode;
}
