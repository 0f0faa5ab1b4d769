import { formatDuration } from "./formatDuration.ts";

/** "in 3 d 4 h", "2 h ago" or "now", relative to chain time. */
export function formatRelative(target: number, now: number): string {
  const delta = target - now;
  if (delta === 0) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}
