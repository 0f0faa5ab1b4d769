export type PrometheusSample = { name: string; labels: Readonly<Record<string, string>>; value: number };

const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const label = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

/** Samples of the Prometheus text exposition format (comments and malformed lines skipped). */
export function parsePrometheus(text: string): PrometheusSample[] {
  const out: PrometheusSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = sample.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      label.lastIndex = 0;
      let l: RegExpExecArray | null;
      while (label.lastIndex < m[2].length && (l = label.exec(m[2]))) {
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
    }
    const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}
