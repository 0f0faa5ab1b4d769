import { BaseError } from "../errors/BaseError.ts";

/** A rotation agent option is missing or out of range. */
export class InvalidAgentOptionError extends BaseError {
  override name = "InvalidAgentOptionError";
}
