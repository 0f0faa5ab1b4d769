export { InvalidNonceStoreOptionError, memoryNonceStore, type MemoryNonceStore, type MemoryNonceStoreParameters } from "./memoryNonceStore.ts";
export { redisNonceStore, type RedisNonceStore, type RedisNonceStoreParameters } from "./redisNonceStore.ts";
export type { NonceResult, NonceStore } from "./types.ts";
