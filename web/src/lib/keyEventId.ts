import type { Hex } from "viem";
import type { KeyEvent } from "../indexer/types.ts";

/** One entry of one key's history: a log is unique by transaction and index, and one log can concern two keys (a rotation). */
export function keyEventId(keyId: Hex, event: Pick<KeyEvent, "transactionHash" | "logIndex">): string {
  return `${keyId.toLowerCase()}:${event.transactionHash.toLowerCase()}:${event.logIndex}`;
}
