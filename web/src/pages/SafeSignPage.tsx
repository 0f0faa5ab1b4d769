import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { isAddressEqual } from "viem";
import type { RegistryOperationName } from "../../../src/chain/signedOperations/types.ts";
import { parseSafeSigningRequest } from "../chain/safe/parseSafeSigningRequest.ts";
import { readSafe } from "../chain/safe/readSafe.ts";
import type { SafeSigningRequest } from "../chain/safe/safeSigningRequest.ts";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { SafeSigning } from "../components/safe/SafeSigning.tsx";
import { RequestFileInput } from "../components/safe/RequestFileInput.tsx";
import { useChainSnapshot } from "../chain/useChainSnapshot.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";

/**
 * `#/safe`: where a Safe owner opens a signing request another owner exported (from
 * Register, Rotate or Revoke with "Owner: a Safe"), checks what it does, signs it with the
 * connected wallet, and exports it again or submits it once the threshold is met.
 */
const actions: Record<RegistryOperationName, string> = {
  register: "Register key",
  rotate: "Rotate key",
  revoke: "Revoke key",
  extendOverlap: "Extend overlap",
  setRotator: "Set rotator",
};

export default function SafeSignPage() {
  return (
    <section aria-labelledby="safe-sign-title">
      <h1 id="safe-sign-title">Sign for a Safe</h1>
      <p className="lead">
        Open a Safe signing request file another owner sent you. The page shows the operation and the exact message, lets you sign it
        if your wallet is an owner, and submits it once enough owners have signed.
      </p>
      <RequireWallet action="sign for a Safe">
        <SafeSign />
      </RequireWallet>
    </section>
  );
}

function SafeSign() {
  const { client, runtime } = useRuntime();
  const snapshot = useChainSnapshot();
  const [request, setRequest] = useState<SafeSigningRequest | null>(null);
  const [error, setError] = useState<string | undefined>();
  const safe = useQuery({
    queryKey: ["keyledger", "safe", request?.safe],
    queryFn: () => readSafe({ client: client as never, safe: request!.safe }),
    enabled: request !== null,
    retry: 1,
  });

  const open = (text: string) => {
    const parsed = parseSafeSigningRequest(text);
    if (!parsed.ok) return setError(parsed.message);
    // Another chain's or another deployment's request cannot be signed or submitted here.
    if (parsed.request.chainId !== runtime.chainId) return setError(`This request is for chain ${parsed.request.chainId}; this dApp is on chain ${runtime.chainId}.`);
    if (!isAddressEqual(parsed.request.registry, runtime.addresses.KeyRegistry)) {
      return setError(`This request is for the registry ${parsed.request.registry}, not this deployment's ${runtime.addresses.KeyRegistry}.`);
    }
    setError(undefined);
    setRequest(parsed.request);
  };

  if (!request) {
    return (
      <fieldset className="panel">
        <legend>Signing request</legend>
        <RequestFileInput onText={open} actionLabel="Open the request" rows={5} />
        {error && (
          <p className="field-error" role="alert" data-testid="safe-open-error">
            {error}
          </p>
        )}
      </fieldset>
    );
  }
  const another = (
    <div className="actions">
      <button type="button" className="secondary" onClick={() => setRequest(null)}>
        Open another request
      </button>
    </div>
  );
  if (safe.error || (safe.data && !safe.data.ok)) {
    return (
      <>
        <div className="note error" role="alert">
          <p>{safe.error ? `Could not read the Safe: ${safe.error.message}` : safe.data && !safe.data.ok ? safe.data.message : ""}</p>
        </div>
        {another}
      </>
    );
  }
  if (!safe.data?.ok || !snapshot.data) return <p aria-busy="true">Reading the Safe's owners and threshold…</p>;
  return (
    <>
      <SafeSigning request={request} onChange={setRequest} safe={safe.data} action={actions[request.operation.operation]} scopeNames={snapshot.data.registry.scopeNames} />
      {another}
    </>
  );
}
