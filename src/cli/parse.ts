import { type Hex, isHex } from "viem";
import { usageError } from "./CliError.ts";

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds from "3600", "90s", "15m", "1h", "7d", "2w" or combinations like "1h30m". */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return checkedSeconds(Number(trimmed), flag, text);
  const parts = [...trimmed.matchAll(/(\d+)([smhdw])/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== trimmed) {
    throw usageError(`${flag}: "${text}" is not a duration.`, ["Use seconds (3600) or units s, m, h, d, w (90s, 15m, 1h30m, 7d)."]);
  }
  return checkedSeconds(
    parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0),
    flag,
    text,
  );
}

/**
 * Unix seconds from "now", "+1h" (relative to `now`), unix seconds, or an ISO 8601
 * date. `now` is the chain's clock (latest block time), not the local one: windows
 * are checked against block time.
 */
export function parseTime(text: string, flag: string, now: number): number {
  const trimmed = text.trim();
  if (trimmed === "now") return now;
  if (trimmed.startsWith("+")) return checkedSeconds(now + parseDuration(trimmed.slice(1), flag), flag, text);
  if (/^\d+$/.test(trimmed)) return checkedSeconds(Number(trimmed), flag, text);
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) {
    throw usageError(`${flag}: "${text}" is not a time.`, ["Use now, +<duration> (+1h), unix seconds or an ISO 8601 date (2026-12-31T00:00:00Z)."]);
  }
  return checkedSeconds(Math.floor(ms / 1000), flag, text);
}

function checkedSeconds(value: number, flag: string, text: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw usageError(`${flag}: "${text}" is out of range (0..2^32-1 seconds).`);
  }
  return value;
}

/** A 32-byte key id in 0x-hex, lower-cased. */
export function parseKeyId(text: string | undefined, what = "key id"): Hex {
  if (text === undefined) throw usageError(`Missing ${what}.`);
  if (!isHex(text) || text.length !== 66) throw usageError(`"${text}" is not a ${what} (expected 0x followed by 64 hex digits).`);
  return text.toLowerCase() as Hex;
}

export function parseList(value: string | boolean | string[] | undefined): string[] {
  const items = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return items.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

export function parseNonNegativeInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw usageError(`${flag}: "${text}" is not a non-negative integer.`);
  return Number(text);
}

/** "2026-11-03T10:00:00Z (1793700000)" for humans. */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().replace(".000Z", "Z")} (${seconds})`;
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const out: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return out.join("");
}
