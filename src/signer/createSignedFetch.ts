import type { KeyFile } from "../keys/index.ts";
import { selectSigningKey } from "./selectSigningKey.ts";
import { type SignRequestParameters, signRequest } from "./signRequest.ts";

export type CreateSignedFetchParameters = Omit<SignRequestParameters, "key" | "created" | "expires" | "nonce"> & {
  /**
   * The client's keys, or a function returning them that is called for every
   * request (e.g. `keyDirectory({ path })`, which re-reads a directory when it
   * changes): a rotated key is picked up without a restart.
   */
  keys: readonly KeyFile[] | (() => readonly KeyFile[] | Promise<readonly KeyFile[]>);
  /** Default `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
};

export type SignedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A fetch that signs every request with the newest valid key (see `selectSigningKey`). */
export function createSignedFetch({ keys, fetch: fetchFn, now = Date.now, ...options }: CreateSignedFetchParameters): SignedFetch {
  const send = fetchFn ?? ((request: Request) => globalThis.fetch(request));
  return async (input, init) => {
    const request = new Request(input, init);
    const list = typeof keys === "function" ? await keys() : keys;
    const time = now();
    const key = selectSigningKey({ keys: list, now: time });
    return send(await signRequest(request, { ...options, key, created: Math.floor(time / 1000) }));
  };
}
