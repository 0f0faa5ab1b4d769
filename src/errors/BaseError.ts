export type BaseErrorParameters = {
  /** Extra context, printed under the short message. */
  details?: string | undefined;
  /** Lines that help the reader act on the error (what was expected, how to fix it). */
  metaMessages?: string[] | undefined;
  cause?: unknown;
};

/**
 * Root of every error KeyLedger throws. Expected rejections (a bad request
 * signature, a revoked key) are results, never errors: errors mean
 * misconfiguration or an operational failure.
 */
export class BaseError extends Error {
  override name = "KeyLedgerError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const lines = [shortMessage];
    if (parameters.metaMessages?.length) lines.push("", ...parameters.metaMessages);
    if (parameters.details) lines.push("", `Details: ${parameters.details}`);
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
    this.metaMessages = parameters.metaMessages;
  }
}
