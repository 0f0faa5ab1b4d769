export { BaseError, type BaseErrorParameters } from "./BaseError.ts";
