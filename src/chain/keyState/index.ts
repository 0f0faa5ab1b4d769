export { applyRegistryEvent, type ApplyRegistryEventParameters, type ApplyRegistryEventReturnType } from "./applyRegistryEvent.ts";
export { effectiveKeyState, type EffectiveKeyStateParameters } from "./effectiveKeyState.ts";
export { applyRegistryGlobalEvent, type ApplyRegistryGlobalEventParameters, initialRegistryGlobals, isOwnerRevoked, isSuspendedAt, policyProblem } from "./applyRegistryGlobalEvent.ts";
export {
  type GlobalEventName,
  globalEventNames,
  keyEventNames,
  type KeyCreation,
  type KeyEventName,
  type KeyLifecycleState,
  type KeyStateChange,
  type KeyStateRecord,
  type PolicyJudgedKey,
  type RegistryGlobalEvent,
  type RegistryGlobals,
  type RegistryPolicy,
  type RegistryKeyEvent,
} from "./types.ts";
