export { type ApiEvents, createApiEvents, type CreateApiEventsParameters } from "./createApiEvents.ts";
export { type ApiChainStatus, type ApiMetrics, createApiMetrics, type CreateApiMetricsParameters, type VerifiedKey } from "./createApiMetrics.ts";
export { type ApiChainInfo, type ApiServer, createApiServer, type CreateApiServerParameters } from "./createApiServer.ts";
export { type Order, parseOrder, type ParseOrderReturnType } from "./parseOrder.ts";
export { prices } from "./prices.ts";
export { startApiCluster, type StartApiClusterParameters, type StartApiClusterReturnType } from "./startApiCluster.ts";
export { type ChainClock, createChainClock, type CreateChainClockParameters } from "./createChainClock.ts";
export { startApiServer, type StartApiServerParameters, type StartApiServerReturnType } from "./startApiServer.ts";
