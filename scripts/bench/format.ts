/** Number formats shared by every table, so figures read the same everywhere. */
export const format = {
  /** 12,345 */
  int: (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "—"),
  /** 0.123 ms, 12.3 ms, 123 ms */
  ms: (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(value < 1 ? 3 : 2) : Math.round(value)} ms` : "—"),
  /** 12.3 µs */
  us: (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} µs` : "—"),
  /** 0.873 -> 87.3 % */
  percent: (ratio: number) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : "—"),
  /** 1.23x */
  times: (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "—"),
  /** 28.4 B */
  bytes: (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} B` : "—"),
  check: (ok: boolean | undefined) => (ok === undefined ? "" : ok ? "✅" : "❌"),
};
