export { InvalidAgentOptionError } from "./errors.ts";
export { type RotateDueKeysParameters, type RotateDueKeysReturnType, rotateDueKeys } from "./rotateDueKeys.ts";
export { type StartRotationAgentParameters, type StartRotationAgentReturnType, startRotationAgent } from "./startRotationAgent.ts";
export type { RotationAction, RotationAgentOptions, RotationSchedule } from "./types.ts";
