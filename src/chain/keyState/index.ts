export { applyRegistryEvent, type ApplyRegistryEventParameters, type ApplyRegistryEventReturnType } from "./applyRegistryEvent.ts";
export { keyEventNames, type KeyCreation, type KeyEventName, type KeyLifecycleState, type KeyStateChange, type KeyStateRecord, type RegistryKeyEvent } from "./types.ts";
