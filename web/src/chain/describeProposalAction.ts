import { type Address, decodeFunctionData, getAddress, type Hex } from "viem";
import { keyRegistryAbi } from "../../../src/generated/abis.ts";
import { algorithmFromChain } from "../../../src/keys/algorithms.ts";
import type { RegistryPolicy } from "../indexer/index.ts";
import { algorithmLabel } from "../lib/algorithmLabel.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { scopeNames } from "../lib/scopeNames.ts";
import { shortHex } from "../lib/shortHex.ts";

export type DescribeProposalActionParameters = {
  target: Address;
  data: Hex;
  registry: Address;
  scopeNames: readonly string[];
};

/**
 * `text`, then the key or the owner (as a link), `note` (what else the call reaches or
 * until when) and `detail` (the reason, quoted) when there is one; `policy` is the whole
 * policy a `setPolicy` call sets (shown against the current one). `final` marks a call
 * that cannot be undone (revoking an owner).
 */
export type ProposalAction = {
  text: string;
  keyId?: Hex | undefined;
  owner?: Address | undefined;
  note?: string | undefined;
  detail?: string | undefined;
  policy?: RegistryPolicy | undefined;
  final?: boolean | undefined;
};

/** "2026-11-03 10:00 UTC": proposals are read by voters in many time zones. */
export function formatUtc(unix: number): string {
  return `${new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** One call of a proposal in words ("Revoke key 0x12…ab: compromised"). */
export function describeProposalAction({ target, data, registry, scopeNames: names }: DescribeProposalActionParameters): ProposalAction {
  if (target.toLowerCase() !== registry.toLowerCase()) return { text: `Call ${shortHex(target)} with ${shortHex(data, 8)}` };
  let call: { functionName: string; args?: readonly unknown[] };
  try {
    call = decodeFunctionData({ abi: keyRegistryAbi, data });
  } catch {
    return { text: `Unknown registry call ${data.slice(0, 10)}` };
  }
  const a = (call.args ?? []) as unknown as [never, never];
  switch (call.functionName) {
    case "governanceRevoke":
      return { text: "Revoke key", keyId: a[0], detail: a[1] ? String(a[1]) : undefined };
    case "unsuspend":
      return { text: "Lift the suspension of key", keyId: a[0] };
    case "governanceRevokeLineage":
      return {
        text: "Revoke key",
        keyId: a[0],
        note: "and every later version of its lineage, as it stands at execution (a rotation during the vote does not escape)",
        detail: a[1] ? String(a[1]) : undefined,
      };
    case "governanceRevokeOwner":
      return {
        text: "Revoke every key of owner",
        owner: getAddress(String(a[0])),
        note: "at once and finally, and refuse the owner's new keys and rotations (cannot be undone)",
        detail: a[1] ? String(a[1]) : undefined,
        final: true,
      };
    case "extendSuspension":
      return { text: "Keep key", keyId: a[0], note: `suspended until ${formatUtc(Number(a[1]))} (extends a guardian's suspension)` };
    case "governanceRevokeBatch": {
      const ids = a[0] as unknown as readonly Hex[];
      return { text: `Revoke ${ids.length} key${ids.length === 1 ? "" : "s"} (already revoked ones are skipped): ${ids.map((id) => shortHex(id)).join(", ")}`, detail: a[1] ? String(a[1]) : undefined };
    }
    case "unsuspendBatch": {
      const ids = a[0] as unknown as readonly Hex[];
      return { text: `Lift the suspension of ${ids.length} key${ids.length === 1 ? "" : "s"} (keys no longer suspended are skipped): ${ids.map((id) => shortHex(id)).join(", ")}` };
    }
    case "setGuardian":
      return { text: `${a[1] ? "Appoint" : "Remove"} guardian ${a[0]}` };
    case "setScopeName":
      return { text: String(a[1]) ? `Name scope bit ${Number(a[0])} “${String(a[1])}”` : `Clear the name of scope bit ${Number(a[0])}` };
    case "setPolicy": {
      const p = a[0] as RegistryPolicy;
      const algs = [1, 2, 3].filter((id) => p.allowedAlgorithms & (1 << id)).map((id) => algorithmLabel(algorithmFromChain(id)));
      return {
        text: `Set the policy: lifetime up to ${formatDuration(p.maxLifetime)}, overlap up to ${formatDuration(p.maxOverlap)}, suspensions up to ${formatDuration(p.maxSuspension)}, ${p.maxKeysPerOwner} live keys per owner, algorithms ${algs.join(", ") || "none"}, scopes ${scopeNames(p.allowedScopes, names).join(", ") || "none"}`,
        policy: {
          maxLifetime: Number(p.maxLifetime),
          maxOverlap: Number(p.maxOverlap),
          maxSuspension: Number(p.maxSuspension),
          maxKeysPerOwner: Number(p.maxKeysPerOwner),
          allowedAlgorithms: Number(p.allowedAlgorithms),
          allowedScopes: Number(p.allowedScopes),
        },
      };
    }
    case "transferGovernance":
      return { text: `Hand governance to ${a[0]}` };
    default:
      return { text: `${call.functionName}(${(call.args ?? []).map(String).join(", ")})` };
  }
}
