import type { FieldCheck } from "./validateLabel.ts";
import { scopeNames } from "./scopeNames.ts";

export type ValidateScopesParameters = { scopes: number; allowedScopes: number; names: readonly string[] };

/** At least one scope, and only scopes the DAO's policy allows. */
export function validateScopes({ scopes, allowedScopes, names }: ValidateScopesParameters): FieldCheck {
  if (scopes === 0) return { ok: false, message: "Choose at least one scope: a key without scopes cannot call any route." };
  const forbidden = scopes & ~allowedScopes & 0xff;
  if (forbidden !== 0) {
    return { ok: false, message: `The DAO's policy does not allow ${scopeNames(forbidden, names).join(", ")}.` };
  }
  return { ok: true };
}
