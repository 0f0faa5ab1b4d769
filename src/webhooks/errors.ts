import { BaseError } from "../errors/BaseError.ts";

/** A webhook option is missing or unusable (bad URL, a key without its private part, ...). */
export class InvalidWebhookOptionError extends BaseError {
  override name = "InvalidWebhookOptionError";
}
