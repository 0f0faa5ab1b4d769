import type { Measurement } from "./measure.ts";
import { quantile } from "./stats.ts";

export type AbRoundsParameters = {
  /** Measured rounds; each runs A and B once. */
  rounds: number;
  /** Unreported rounds first (JIT warm-up). */
  warmupRounds: number;
  a: () => Promise<Measurement>;
  b: () => Promise<Measurement>;
};

export type AbSide = {
  /** Median ops per wall-clock second. */
  rate: number;
  rates: number[];
  /** Median ops per CPU second of this process. */
  cpuRate: number;
  failures: number;
  ops: number;
};

export type AbRoundsReturnType = {
  a: AbSide;
  b: AbSide;
  /** Median of the per-round rate(A) / rate(B), wall clock. */
  ratio: number;
  ratios: number[];
  /** Median of the per-round ratios of ops per CPU second. */
  cpuRatio: number;
};

/**
 * Measures A and B in alternating short rounds (A B, B A, A B, ...) and reports
 * the median of the per-round ratios: on a shared machine the noise moves both
 * sides of a round together, so the ratio is far steadier than either rate.
 */
export async function abRounds({ rounds, warmupRounds, a, b }: AbRoundsParameters): Promise<AbRoundsReturnType> {
  const sides = { a: [] as Measurement[], b: [] as Measurement[] };
  for (let round = -warmupRounds; round < rounds; round++) {
    let ma: Measurement;
    let mb: Measurement;
    if ((round + warmupRounds) % 2 === 0) {
      ma = await a();
      mb = await b();
    } else {
      mb = await b();
      ma = await a();
    }
    if (round < 0) continue;
    sides.a.push(ma);
    sides.b.push(mb);
  }
  const rate = (m: Measurement) => m.ops / m.seconds;
  const cpuRate = (m: Measurement) => m.ops / Math.max(m.cpuSeconds, 1e-6);
  const side = (list: Measurement[]): AbSide => ({
    rate: quantile(list.map(rate), 0.5),
    rates: list.map(rate),
    cpuRate: quantile(list.map(cpuRate), 0.5),
    failures: list.reduce((sum, m) => sum + m.failures, 0),
    ops: list.reduce((sum, m) => sum + m.ops, 0),
  });
  const ratios = sides.a.map((m, i) => rate(m) / rate(sides.b[i]!));
  const cpuRatios = sides.a.map((m, i) => cpuRate(m) / cpuRate(sides.b[i]!));
  return { a: side(sides.a), b: side(sides.b), ratio: quantile(ratios, 0.5), ratios, cpuRatio: quantile(cpuRatios, 0.5) };
}
