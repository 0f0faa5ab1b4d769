import { createContext, useContext } from "react";
import type { PublicClient } from "viem";
import type { IndexerClient } from "../indexer/index.ts";
import type { Runtime } from "./loadRuntime.ts";

export type RuntimeContextValue = {
  runtime: Runtime;
  client: PublicClient;
  /** The registry's read path (null when config.json names no indexer). */
  indexer: IndexerClient | null;
  /** The local dev chain (31337): dev account and time travel are offered. */
  isLocal: boolean;
  pollingInterval: number;
};

export const RuntimeContext = createContext<RuntimeContextValue | null>(null);

export function useRuntime(): RuntimeContextValue {
  const value = useContext(RuntimeContext);
  if (!value) throw new Error("useRuntime must be used inside <RuntimeContext.Provider>.");
  return value;
}
