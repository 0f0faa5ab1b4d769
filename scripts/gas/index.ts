export { compareGas, type CompareGasParameters, type CompareGasReturnType } from "./compareGas.ts";
export { type GasFigures, type GasOperation, gasOperations, gasReferences, gasTargets, gasTolerance, gasWaivers } from "./figures.ts";
export { formatGasTable, type FormatGasTableParameters } from "./formatGasTable.ts";
export { measureGas, type MeasureGasParameters, type MeasureGasReturnType } from "./measureGas.ts";
export { gasSnapshotPath, readGasSnapshot } from "./snapshot.ts";
