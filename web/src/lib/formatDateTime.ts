/** Largest uint32: the registry's "no end" for windows set that far out. */
export const maxUint32 = 4_294_967_295;

/** A unix time (seconds) as a readable date and time in the reader's time zone (or `timeZone`). */
export function formatDateTime(unix: number, timeZone?: string): string {
  if (unix >= maxUint32) return "never";
  return new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(unix * 1000));
}
