import { useState } from "react";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import type { SendVia } from "./useTransaction.ts";

/**
 * "Send from my wallet" or "Sign, let the API pay", when the API relays (`runtime.relay`,
 * from config.json). The second asks the wallet for an EIP-712 signature only; the API's
 * relayer submits the transaction and pays its gas. Without a relaying API it is always
 * "wallet" and nothing is shown.
 */
export function useSendVia(): { via: SendVia; setVia: (via: SendVia) => void; offered: boolean } {
  const { runtime } = useRuntime();
  const [via, setVia] = useState<SendVia>("wallet");
  return { via: runtime.relay ? via : "wallet", setVia, offered: runtime.relay };
}

export type SendViaChoiceProps = {
  via: SendVia;
  onChange: (via: SendVia) => void;
  offered: boolean;
  disabled?: boolean | undefined;
  /** Why signing is not possible for this operation (e.g. a batch); shown instead of the choice. */
  unavailable?: string | undefined;
  /** Distinguishes several choices on one page. */
  name?: string | undefined;
};

export function SendViaChoice({ via, onChange, offered, disabled, unavailable, name = "send-via" }: SendViaChoiceProps) {
  if (!offered) return null;
  const options = [
    { value: "wallet", label: "Send from my wallet" },
    { value: "relay", label: "Sign, let the API pay" },
  ] as const;
  return (
    <fieldset className="panel" disabled={disabled} data-testid="send-via">
      <legend>Who sends it</legend>
      <div className="segmented" role="radiogroup" aria-label="Who sends it">
        {options.map((option) => (
          <label key={option.value} className={via === option.value ? "selected" : undefined}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={via === option.value}
              disabled={option.value === "relay" && Boolean(unavailable)}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      <p className="hint" data-testid="send-via-hint">
        {unavailable
          ? unavailable
          : via === "relay"
            ? "Your wallet signs the operation (EIP-712, no gas); the reference API's relayer submits it and pays. It can delay or refuse it, never change it: the registry checks your signature."
            : "Your wallet sends the transaction and pays its gas."}
      </p>
    </fieldset>
  );
}

/** The review's row saying who sends and pays. */
export function sendViaRow(via: SendVia): readonly [string, string] {
  return ["Sent by", via === "relay" ? "the API's relayer, which pays the gas; you sign only (EIP-712, valid 10 minutes)" : "your wallet, which pays the gas"];
}
