import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type Address, getAddress, isAddress } from "viem";
import { readSafe, type ReadSafeReturnType } from "../../chain/safe/readSafe.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";

export type OwnerKind = "wallet" | "safe";

/** A Safe read on chain that can own keys (owners, threshold, version). */
export type SafeOwner = Extract<ReadSafeReturnType, { ok: true }>;

export type UseOwnerChoiceReturnType = {
  kind: OwnerKind;
  setKind: (kind: OwnerKind) => void;
  /** The Safe address as typed. */
  safeInput: string;
  setSafeInput: (value: string) => void;
  /** The typed address is not an address (shown once something is typed). */
  inputError: string | undefined;
  /** The Safe as read on chain, once the address is valid. */
  read: { status: "idle" | "reading" } | { status: "done"; result: ReadSafeReturnType } | { status: "error"; message: string };
  /** The Safe, when "a Safe" is chosen and it was read successfully. */
  safe: SafeOwner | undefined;
};

/**
 * Who owns the key a page acts on: the connected wallet, or a Safe whose address is typed
 * and whose owners and threshold are then read on chain (re-read with the page's queries,
 * so a changed owner set shows). `safe` presets "a Safe" with that address (the owner view's
 * "Manage as a Safe owner").
 */
export function useOwnerChoice({ safe }: { safe?: Address | undefined } = {}): UseOwnerChoiceReturnType {
  const { client } = useRuntime();
  const [kind, setKind] = useState<OwnerKind>(safe ? "safe" : "wallet");
  const [safeInput, setSafeInput] = useState<string>(safe ?? "");
  const trimmed = safeInput.trim();
  const valid = isAddress(trimmed, { strict: false });
  const address = valid ? getAddress(trimmed) : undefined;
  const query = useQuery({
    queryKey: ["keyledger", "safe", address],
    queryFn: () => readSafe({ client: client as never, safe: address as Address }),
    enabled: kind === "safe" && address !== undefined,
    retry: 1,
  });
  const read: UseOwnerChoiceReturnType["read"] =
    kind !== "safe" || !address
      ? { status: "idle" }
      : query.error
        ? { status: "error", message: `Could not read the Safe: ${query.error.message}` }
        : query.data
          ? { status: "done", result: query.data }
          : { status: "reading" };
  return {
    kind,
    setKind,
    safeInput,
    setSafeInput,
    inputError: kind === "safe" && trimmed !== "" && !valid ? "Enter the Safe's address: 0x followed by 40 hex digits." : undefined,
    read,
    safe: kind === "safe" && read.status === "done" && read.result.ok ? read.result : undefined,
  };
}
