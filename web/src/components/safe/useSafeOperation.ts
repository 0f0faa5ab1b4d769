import { useState } from "react";
import type { Address } from "viem";
import { useConnection } from "wagmi";
import { prepareSafeSigningRequest } from "../../chain/safe/prepareSafeSigningRequest.ts";
import type { SafeSigningRequest } from "../../chain/safe/safeSigningRequest.ts";
import type { RegistryCall } from "../../chain/relaySigned.ts";
import { type DescribedError, describeError } from "../../lib/describeError.ts";
import { useRuntime } from "../../runtime/RuntimeContext.ts";
import { type UseOwnerChoiceReturnType, useOwnerChoice } from "./useOwnerChoice.ts";

/**
 * A page's owner choice and, for a Safe, its signing request: `owner` is whose key the page
 * acts on (the wallet, or the Safe once read; undefined while a Safe is not read yet), and
 * `prepare(call)` turns the page's registry call into a request for the owners to sign.
 * A second operation on the same page (Rotate's extend overlap) passes the first's `choice`;
 * `safe` presets "a Safe" with that address.
 */
export function useSafeOperation({ choice: shared, safe }: { choice?: UseOwnerChoiceReturnType | undefined; safe?: Address | undefined } = {}) {
  const { client, runtime } = useRuntime();
  const { address } = useConnection();
  const own = useOwnerChoice({ safe });
  const choice = shared ?? own;
  const [request, setRequest] = useState<SafeSigningRequest | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);
  const owner: Address | undefined = choice.kind === "safe" ? choice.safe?.safe : address;

  const prepare = async (call: () => Promise<RegistryCall>, scopeNames: readonly string[]) => {
    if (!choice.safe) return setError({ title: "Enter the Safe's address and wait for its owners to be read.", code: "safe-missing" });
    setPreparing(true);
    setError(null);
    try {
      setRequest(await prepareSafeSigningRequest({ client: client as never, chainId: runtime.chainId, registry: runtime.addresses.KeyRegistry, safe: choice.safe, call: await call() }));
    } catch (caught) {
      setError(describeError({ error: caught, scopeNames }));
    } finally {
      setPreparing(false);
    }
  };

  return { choice, isSafe: choice.kind === "safe", owner, request, setRequest, prepare, preparing, error, discard: () => setRequest(null) };
}
