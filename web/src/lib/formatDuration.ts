const units = [
  { name: "d", seconds: 86_400 },
  { name: "h", seconds: 3_600 },
  { name: "min", seconds: 60 },
  { name: "s", seconds: 1 },
] as const;

/**
 * A duration in the two largest non-zero units ("3 d 4 h", "5 min", "12 s"):
 * precise enough to compare windows, short enough for a table cell.
 */
export function formatDuration(seconds: number | bigint): string {
  let rest = Math.max(0, Math.floor(Math.abs(Number(seconds))));
  if (rest === 0) return "0 s";
  const parts: string[] = [];
  for (const unit of units) {
    const count = Math.floor(rest / unit.seconds);
    if (count > 0 && parts.length < 2) parts.push(`${count} ${unit.name}`);
    else if (parts.length > 0) break;
    rest -= count * unit.seconds;
  }
  return parts.join(" ");
}
