export type TimelineItem = { id: string; from: number; to: number };
export type TimelineLayout = {
  start: number;
  end: number;
  /** Percent offsets of each bar within [start, end]. */
  bars: { id: string; left: number; width: number }[];
  /** Where "now" falls, in percent; null when outside the axis. */
  now: number | null;
};

/**
 * Places validity windows on one axis from the earliest start to the latest end
 * (stretched to include `now`), so overlapping versions of a lineage read at a glance.
 */
export function timelineLayout({ items, now }: { items: readonly TimelineItem[]; now: number }): TimelineLayout {
  if (items.length === 0) return { start: now, end: now, bars: [], now: null };
  const start = Math.min(now, ...items.map((i) => i.from));
  const end = Math.max(now, ...items.map((i) => i.to));
  const span = Math.max(1, end - start);
  const pct = (t: number) => Math.round(((t - start) / span) * 10_000) / 100;
  return {
    start,
    end,
    bars: items.map((i) => ({ id: i.id, left: pct(i.from), width: Math.max(0.5, pct(i.to) - pct(i.from)) })),
    now: pct(now),
  };
}
