import { BaseError } from "../../errors/BaseError.ts";

export type RelayErrorParameters = {
  /**
   * The relayer's machine-readable code: `invalid-field`, `nonce-used`, `rate-limited`, ...,
   * or the registry's custom error that the simulation hit (`SignatureExpired`,
   * `InvalidSignature`, `KeyAlreadyRegistered`, ...); `relay-unreachable` when no answer came.
   */
  code: string;
  /** HTTP status of the answer (0 when the relayer could not be reached). */
  status: number;
  /** The field a 400 names (`owner`, `key.proof`, ...). */
  field?: string | undefined;
  /** The custom error's arguments, as strings (uint256 values in decimal). */
  args?: readonly string[] | undefined;
  /** With `rate-limited`: seconds until a retry can succeed (the Retry-After header). */
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
};

/** The relayer refused an operation (or could not be reached); nothing was sent unless `code` is `reverted`. */
export class RelayError extends BaseError {
  override name = "RelayError";
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  readonly args: readonly string[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, { code, status, field, args, retryAfterSeconds, cause }: RelayErrorParameters) {
    super(message, { cause, ...(retryAfterSeconds !== undefined ? { metaMessages: [`Retry after ${retryAfterSeconds} s.`] } : {}) });
    this.code = code;
    this.status = status;
    this.field = field;
    this.args = args;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
