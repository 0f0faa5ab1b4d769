import type { Address, Hex } from "viem";
import type { RegistryOperation, SignedNewKey } from "./types.ts";

export type RegistryOperationCallParameters = { operation: RegistryOperation; owner: Address; deadline: bigint; signature: Hex };

/** A KeyRegistry call of the registry ABI: pass to `simulateContract` / `writeContract` with `abi: keyRegistryAbi`. */
export type RegistryOperationCallReturnType =
  | { functionName: "registerFor"; args: readonly [Address, SignedNewKey, string, bigint, Hex] }
  | { functionName: "rotateFor"; args: readonly [Address, Hex, SignedNewKey, number, bigint, Hex] }
  | { functionName: "revokeFor"; args: readonly [Address, Hex, string, bigint, Hex] }
  | { functionName: "extendOverlapFor"; args: readonly [Address, Hex, number, bigint, Hex] }
  | { functionName: "setRotatorFor"; args: readonly [Address, Address, bigint, Hex] };

/** The `xFor(owner, ..., deadline, signature)` call that submits a signed operation. */
export function registryOperationCall({ operation: op, owner, deadline, signature }: RegistryOperationCallParameters): RegistryOperationCallReturnType {
  switch (op.operation) {
    case "register":
      return { functionName: "registerFor", args: [owner, op.key, op.label, deadline, signature] };
    case "rotate":
      return { functionName: "rotateFor", args: [owner, op.oldKeyId, op.key, op.overlap, deadline, signature] };
    case "revoke":
      return { functionName: "revokeFor", args: [owner, op.keyId, op.reason, deadline, signature] };
    case "extendOverlap":
      return { functionName: "extendOverlapFor", args: [owner, op.keyId, op.expiresAt, deadline, signature] };
    case "setRotator":
      return { functionName: "setRotatorFor", args: [owner, op.rotator, deadline, signature] };
  }
}
