import type { Address, Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { type IndexedKey, useOwnerKeys } from "../indexer/index.ts";
import { useRuntime } from "../runtime/RuntimeContext.ts";
import { TxStatus } from "./TxStatus.tsx";
import { useTransaction } from "./useTransaction.ts";

/** Most ids `releaseKeys` takes in one call (the registry's MAX_BATCH). */
const maxBatch = 256;

export type ReleaseLineagesProps = {
  owner: Address;
  /** Called once the release is confirmed (e.g. to check the registration again). */
  onReleased?: (() => void) | undefined;
};

/** The owner's revoked lineage heads whose place under the cap was not given back yet. */
export function releasableHeads(keys: readonly IndexedKey[]): Hex[] {
  return keys.filter((k) => k.state === "revoked" && !k.rotated && !k.released).map((k) => k.keyId);
}

/**
 * Shown on `TooManyKeys`: revocation leaves the owner's count alone (lazy release, so
 * revoking stays cheap), and this sends the permissionless `releaseKeys` for the owner's
 * revoked lineages, found in the indexer, so the registration can go through.
 */
export function ReleaseLineages({ owner, onReleased }: ReleaseLineagesProps) {
  const { runtime } = useRuntime();
  const keys = useOwnerKeys(owner);
  const tx = useTransaction();
  if (keys.isPending) return <p aria-busy="true">Looking for revoked lineages to release…</p>;
  const heads = releasableHeads(keys.data ?? []).slice(0, maxBatch);
  const done = tx.state.status === "confirmed";
  if (!heads.length && !done) {
    return (
      <p className="hint" data-testid="release-none">
        None of your lineages is revoked and still counted: revoke one you no longer use (then release it here), or ask the DAO for a higher cap.
      </p>
    );
  }
  const action = `Release ${heads.length} revoked ${heads.length === 1 ? "lineage" : "lineages"}`;
  return (
    <div className="panel" data-testid="release-lineages">
      <p>
        Revoked lineages keep their place under the DAO's cap until they are released. Releasing changes no key: they stay revoked.
      </p>
      {!done && (
        <button
          type="button"
          className="secondary"
          disabled={tx.busy}
          data-testid="release-submit"
          onClick={async () => {
            const receipt = await tx.send({ address: runtime.addresses.KeyRegistry, abi: keyRegistryAbi, functionName: "releaseKeys", args: [heads] }, { action });
            if (receipt) onReleased?.();
          }}
        >
          {tx.busy ? "Releasing…" : action}
        </button>
      )}
      <TxStatus state={tx.state} action={action} confirmed={<p>Released. You can register the key now.</p>} />
    </div>
  );
}
