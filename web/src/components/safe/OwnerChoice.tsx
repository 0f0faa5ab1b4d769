import { isAddressEqual } from "viem";
import { useConnection } from "wagmi";
import { TextField } from "../TextField.tsx";
import type { SafeOwner, UseOwnerChoiceReturnType } from "./useOwnerChoice.ts";

export type OwnerChoiceProps = { choice: UseOwnerChoiceReturnType; disabled?: boolean | undefined };

/**
 * "Owner: my wallet / a Safe". With a Safe, its address is typed and its owners and
 * threshold are shown as read on chain, with whether the connected wallet is one of them.
 */
export function OwnerChoice({ choice, disabled }: OwnerChoiceProps) {
  const { address } = useConnection();
  const options = [
    { value: "wallet", label: "My wallet" },
    { value: "safe", label: "A Safe" },
  ] as const;
  return (
    <fieldset className="panel" disabled={disabled} data-testid="owner-choice">
      <legend>Owner</legend>
      <div className="segmented" role="radiogroup" aria-label="Owner">
        {options.map((option) => (
          <label key={option.value} className={choice.kind === option.value ? "selected" : undefined}>
            <input type="radio" name="owner-kind" value={option.value} checked={choice.kind === option.value} onChange={() => choice.setKind(option.value)} />
            {option.label}
          </label>
        ))}
      </div>
      {choice.kind === "wallet" ? (
        <p className="hint">
          The key belongs to your connected account <code className="break">{address}</code>.
        </p>
      ) : (
        <>
          <TextField
            label="Safe address"
            name="safe-address"
            value={choice.safeInput}
            autoComplete="off"
            spellCheck={false}
            placeholder="0x…"
            onChange={(event) => choice.setSafeInput(event.target.value)}
            hint="The key belongs to the Safe: its owners sign the operation (a SafeMessage, no Safe transaction), up to its threshold."
            error={choice.inputError ?? (choice.read.status === "error" ? choice.read.message : choice.read.status === "done" && !choice.read.result.ok ? choice.read.result.message : undefined)}
          />
          {choice.read.status === "reading" && <p aria-busy="true">Reading the Safe's owners and threshold…</p>}
          {choice.safe && <SafeInfo safe={choice.safe} />}
        </>
      )}
    </fieldset>
  );
}

/** A Safe's threshold and owners as read on chain, with whether the connected wallet is one of them. */
export function SafeInfo({ safe }: { safe: SafeOwner }) {
  const { address } = useConnection();
  return (
    <div className="note" data-testid="safe-info">
      <p>
        Safe {safe.version}: <strong>{safe.threshold} of {safe.owners.length}</strong> owners must sign.{" "}
        {address && safe.owners.some((o) => isAddressEqual(o, address))
          ? "Your wallet is one of them."
          : "Your wallet is not an owner: it can still build the request and submit it once the owners have signed."}
      </p>
      <ul className="plain">
        {safe.owners.map((owner) => (
          <li key={owner}>
            <code>{owner}</code>
            {address && isAddressEqual(owner, address) ? " (you)" : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
