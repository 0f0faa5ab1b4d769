import { useSyncExternalStore } from "react";

export const pages = ["keys", "register", "rotate", "revoke", "governance", "lookup", "proposal", "owner", "safe"] as const;
export type Page = (typeof pages)[number];
export type Route = { page: Page; param: string | undefined };

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};

/** `#/lookup/0x…` → { page: "lookup", param: "0x…" }. Hash routes work from any static host. */
export function parseRoute(hash: string): Route {
  const [page, param] = hash.replace(/^#\/?/, "").split("/");
  if (!(pages as readonly string[]).includes(page ?? "")) return { page: "keys", param: undefined };
  return { page: page as Page, param: param ? decodeURIComponent(param) : undefined };
}

export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
