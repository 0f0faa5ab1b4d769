/** Operations done, failed, the wall-clock seconds they took and the process CPU seconds they used. */
export type Measurement = { ops: number; failures: number; seconds: number; cpuSeconds: number };

export type MeasureParameters = {
  /** At most this many operations (the count bound). */
  count: number;
  /** Stop early after this long (the time bound); the rate counts what was done. */
  maxSeconds: number;
  /** 1 = one after the other (a synchronous step is never awaited); more = that many in flight. */
  concurrency?: number | undefined;
  /** Operation i; true when it gave the expected answer. */
  step: (i: number) => boolean | Promise<boolean>;
};

/**
 * Runs `step` for i = 0..count-1, sequentially or with a fixed number in flight,
 * bounded in count and time. CPU time (all threads of this process, libuv's pool
 * included) is taken too: other processes on a shared machine steal wall-clock
 * time, much less CPU time.
 */
export async function measure({ count, maxSeconds, concurrency = 1, step }: MeasureParameters): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  let next = 0;
  let failures = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const outcome = step(i);
      const ok = outcome instanceof Promise ? await outcome : outcome;
      done++;
      if (!ok) failures++;
      // Reading the clock every 16 steps keeps its cost out of the figure.
      if ((done & 15) === 0 && performance.now() > deadline) next = count;
    }
  };
  if (concurrency <= 1) await worker();
  else await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { ops: done, failures, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}
