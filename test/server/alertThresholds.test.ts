// The shipped Prometheus rules and the code (webhook events, the dApp's alerts) use the same
// numbers: the rules are YAML and cannot import alertThresholds, so this reads them back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertThresholds } from "../../src/server/alertThresholds.ts";

const rulesText = readFileSync(join(import.meta.dirname, "../../ops/prometheus/keyledger.rules.yml"), "utf8");

/** Each alert's `expr`, by name (the file's own layout: `- alert: X` then `expr:`, block or inline). */
function expressions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of text.split(/^\s*- alert: /m).slice(1)) {
    const name = block.slice(0, block.indexOf("\n")).trim();
    const expr = /expr: (?:\|\n)?([\s\S]*?)\n\s*(?:for|labels):/.exec(block);
    if (!expr) throw new Error(`no expr for ${name}`);
    out.set(name, expr[1]!.replace(/\s+/g, " "));
  }
  return out;
}

const seconds = { s: 1, m: 60, h: 3600 } as Record<string, number>;
const product = (text: string) => text.split("*").reduce((n, f) => n * Number(f.trim()), 1);

/** `increase(...[5m])) > 10` → { moreThan: 10, windowSeconds: 300 }. */
function burst(expr: string) {
  const m = /\[(\d+)([smh])\]\)\) > (\d+)/.exec(expr);
  if (!m) throw new Error(`no burst in ${expr}`);
  return { moreThan: Number(m[3]), windowSeconds: Number(m[1]) * seconds[m[2]!]! };
}

/** The thresholds as the rules file states them. */
function rulesThresholds(text: string) {
  const e = expressions(text);
  const get = (name: string) => {
    const expr = e.get(name);
    if (!expr) throw new Error(`no rule ${name}`);
    return expr;
  };
  const lastUsed = (expr: string) => [...expr.matchAll(/keyledger_api_key_last_used_timestamp_seconds\) < ([\d\s*]+)\)/g)].map((m) => product(m[1]!));
  return {
    oldVersionUsedWithinSeconds: lastUsed(get("KeyLedgerOldKeyVersionInUse"))[0],
    expiresSoonSeconds: product(/- time\(\) < ([\d\s*]+)\)/.exec(get("KeyLedgerKeyExpiresSoon"))![1]!),
    expiresSoonUsedWithinSeconds: lastUsed(get("KeyLedgerKeyExpiresSoon"))[0],
    keyBadSignatureBurst: burst(get("KeyLedgerKeyBadSignatureBurst")),
    keyReplayedNonceBurst: burst(get("KeyLedgerKeyReplayedNonceBurst")),
    badSignatureBurst: burst(get("KeyLedgerBadSignatureBurst")),
    replayedNonceBurst: burst(get("KeyLedgerReplayedNonceBurst")),
    revokedOrSuspendedKeyUsed: burst(get("KeyLedgerRevokedOrSuspendedKeyUsed")),
    chainIndexStaleSeconds: Number(/age_seconds\) > (\d+)/.exec(get("KeyLedgerChainIndexStale"))![1]),
  };
}

describe("alert thresholds", () => {
  it("the shipped Prometheus rules use alertThresholds' numbers", () => {
    expect(rulesThresholds(rulesText)).toEqual(alertThresholds);
  });

  it("a rule changed on its own is caught (the check can fail)", () => {
    const edited = rulesText.replace('{reason="replayed-nonce"}[5m])) > 3', '{reason="replayed-nonce"}[10m])) > 3').replace("< 7 * 86400)", "< 3 * 86400)");
    expect(edited).not.toBe(rulesText);
    const found = rulesThresholds(edited);
    expect(found.keyReplayedNonceBurst).toEqual({ moreThan: 3, windowSeconds: 600 });
    expect(found.expiresSoonSeconds).toBe(3 * 86_400);
    expect(found).not.toEqual(alertThresholds);
  });
});
