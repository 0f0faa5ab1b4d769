export { readCheckpoint, type ReadCheckpointParameters, type ReadCheckpointReturnType } from "./readCheckpoint.ts";
export { type CheckpointHeader, CheckpointError, checkpointFormat, checkpointVersion } from "./types.ts";
export { writeCheckpoint, type WriteCheckpointParameters, type WriteCheckpointReturnType } from "./writeCheckpoint.ts";
