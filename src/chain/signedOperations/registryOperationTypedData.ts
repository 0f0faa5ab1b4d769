import { extendOverlapForTypedData } from "./extendOverlapForTypedData.ts";
import { registerForTypedData } from "./registerForTypedData.ts";
import { revokeForTypedData } from "./revokeForTypedData.ts";
import { rotateForTypedData } from "./rotateForTypedData.ts";
import { setRotatorForTypedData } from "./setRotatorForTypedData.ts";
import type { RegistryOperation, SignedOperationBase } from "./types.ts";

export type RegistryOperationTypedDataParameters = SignedOperationBase & { operation: RegistryOperation };

export type RegistryOperationTypedDataReturnType =
  | ReturnType<typeof registerForTypedData>
  | ReturnType<typeof rotateForTypedData>
  | ReturnType<typeof revokeForTypedData>
  | ReturnType<typeof extendOverlapForTypedData>
  | ReturnType<typeof setRotatorForTypedData>;

/**
 * The typed data the owner signs for any signed operation, picked by `operation.operation`
 * (the relayer and `signRegistryOperation` both build it here, so they always agree).
 */
export function registryOperationTypedData({ operation: op, ...base }: RegistryOperationTypedDataParameters): RegistryOperationTypedDataReturnType {
  switch (op.operation) {
    case "register":
      return registerForTypedData({ ...base, key: op.key, label: op.label });
    case "rotate":
      return rotateForTypedData({ ...base, oldKeyId: op.oldKeyId, key: op.key, overlap: op.overlap });
    case "revoke":
      return revokeForTypedData({ ...base, keyId: op.keyId, reason: op.reason });
    case "extendOverlap":
      return extendOverlapForTypedData({ ...base, keyId: op.keyId, expiresAt: op.expiresAt });
    case "setRotator":
      return setRotatorForTypedData({ ...base, rotator: op.rotator });
  }
}
