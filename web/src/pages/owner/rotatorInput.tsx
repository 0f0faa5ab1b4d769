import { type Address, getAddress, isAddress, zeroAddress } from "viem";
import { TextField } from "../../components/TextField.tsx";
import type { OwnerRotator } from "../../indexer/index.ts";

/** What a rotator may and may not do, in words (the registry's bounds). */
export const rotatorPowers =
  "It may rotate this owner's keys (to the same or fewer scopes, never a suspended key) and revoke them. It can never register a key, widen scopes, extend an overlap or appoint a rotator.";

/** A typed rotator address, and why it cannot be appointed (undefined: it can). */
export function parseRotatorInput({ text, owner, current }: { text: string; owner: Address; current: OwnerRotator }) {
  const trimmed = text.trim();
  const parsed = isAddress(trimmed, { strict: false }) ? getAddress(trimmed) : undefined;
  const error = !parsed
    ? "An address is 0x followed by 40 hex digits."
    : parsed === zeroAddress
      ? "The zero address means no rotator: use “Remove rotator”."
      : parsed === getAddress(owner)
        ? "That is this account: an owner can always rotate its own keys."
        : parsed === current.rotator
          ? "This address is your rotator already."
          : undefined;
  return { parsed, error };
}

/** The rotator address field of the wallet's and the Safe's forms (`error` shown once submitted). */
export function RotatorAddressField({ name, value, onChange, error, hint }: { name: string; value: string; onChange: (value: string) => void; error: string | undefined; hint: string }) {
  return (
    <TextField
      label="Rotator address"
      name={name}
      value={value}
      placeholder="0x… (40 hex digits)"
      spellCheck={false}
      data-testid={name}
      onChange={(event) => onChange(event.target.value)}
      error={error}
      hint={hint}
    />
  );
}
