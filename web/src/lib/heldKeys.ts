import { useSyncExternalStore } from "react";
import type { KeyFile } from "../../../src/keys/types.ts";

// Private keys the page holds so "Try it" can sign with them: a key registered or
// rotated in just now, or a key file loaded (and unlocked) for a test. They live in
// this module's memory only: never in storage, the URL, the query cache or a log,
// so a reload, closing the tab or "Forget" ends them.
const held = new Map<string, KeyFile>();
const listeners = new Set<() => void>();
let version = 0;

const changed = () => {
  version++;
  listeners.forEach((listener) => listener());
};

/** Holds `key` for Try it; a key without its private part is not worth holding. */
export function holdKey(key: KeyFile): void {
  if (!key.privateKey) return;
  held.set(key.keyId.toLowerCase(), key);
  changed();
}

/** Forgets the private key of `keyId` (the page keeps nothing else of it). */
export function forgetKey(keyId: string): void {
  if (held.delete(keyId.toLowerCase())) changed();
}

/** The key held for `keyId`, if any (outside React: tests, event handlers). */
export function heldKey(keyId: string): KeyFile | undefined {
  return held.get(keyId.toLowerCase());
}

/** The key held for `keyId`, re-rendering when it is held or forgotten. */
export function useHeldKey(keyId: string): KeyFile | undefined {
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => version,
  );
  return heldKey(keyId);
}
