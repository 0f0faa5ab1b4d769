// Benchmarks: `npm run bench` (compiles first) or `node scripts/bench.ts [--quick] [--only name,...]`.
// Runs every benchmark of scripts/bench/ in this one process run, prints markdown
// tables (absolute figures and the ratios measured in the same run) and writes the
// whole report to .keyledger/bench-latest.md for the README.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type BenchContext,
  type BenchName,
  benchNames,
  type BenchReport,
  environment,
  formatSummary,
  gasTableBench,
  hmsComparisonBench,
  hostileCostBench,
  indexerLatencyBench,
  nonceMemoryBench,
  ownerViewBench,
  resolverIndexBench,
  revocationBench,
  serverThroughputBench,
  verifyThroughputBench,
} from "./bench/index.ts";

const help = `Usage: node scripts/bench.ts [--quick] [--only <name>[,<name>...]]

Benchmarks, in one process run (ratios come from the same run):
  verify      1. verify() vs raw node:crypto verify, per algorithm (sync and async)
  hms         2. our verifier vs http-message-signatures (Ed25519)
  server      3. reference server: verified vs unverified req/s, memory, Redis and Redis Cluster nonces, 2 workers
  revocation  4. revocation propagation on a real hardhat node
  nonces      5. memory nonce store: bytes per entry, inserts/s
  gas         6. gas per KeyRegistry operation (scripts/gas)
  hostile     7. CPU per refused amplification request vs an honest request
  indexer     8. indexer block-to-query latency (revoke mined → visible via SQL over HTTP)
  resolver    9. verifier chain index: heap per key (10k/100k/1M), cold start vs checkpoint start (10k/100k keys)
  owner      10. dApp owner view in Chromium: bytes over the wire and time to keys, 3 keys among 1k/20k others

Options:
  --quick     a short smoke run (under a minute, figures only indicative)
  --only      run only these benchmarks (repeatable or comma-separated)
  -h, --help

Writes .keyledger/bench-latest.md. Exit code 1 when a benchmark could not run.
`;

const runners: Record<BenchName, { title: string; run: (context: BenchContext) => Promise<BenchReport> }> = {
  verify: { title: "1. Verify throughput vs raw node:crypto", run: verifyThroughputBench },
  hms: { title: "2. Our verifier vs http-message-signatures", run: hmsComparisonBench },
  server: { title: "3. Reference server: verified vs unverified requests/s", run: serverThroughputBench },
  revocation: { title: "4. Revocation propagation", run: revocationBench },
  nonces: { title: "5. Memory nonce store: bytes per entry and inserts/s", run: nonceMemoryBench },
  gas: { title: "6. Gas per KeyRegistry operation", run: gasTableBench },
  hostile: { title: "7. Hostile input: CPU per refused amplification request vs an honest request", run: hostileCostBench },
  indexer: { title: "8. Indexer block-to-query latency", run: indexerLatencyBench },
  resolver: { title: "9. Verifier chain index: heap per key, cold start vs checkpoint", run: resolverIndexBench },
  owner: { title: "10. dApp owner view: bytes over the wire and time to keys", run: ownerViewBench },
};

let values: { quick?: boolean; only?: string[]; help?: boolean };
try {
  values = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } } }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${help}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(help);
  process.exit(0);
}
const requested = (values.only ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
const unknown = requested.filter((name) => !(benchNames as readonly string[]).includes(name));
if (unknown.length) {
  process.stderr.write(`Unknown benchmark(s): ${unknown.join(", ")}. Known: ${benchNames.join(", ")}.\n`);
  process.exit(2);
}
const selected = benchNames.filter((name) => requested.length === 0 || requested.includes(name));
const quick = values.quick === true;
const started = performance.now();
const context: BenchContext = { quick, log: (line) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`) };

const header = [`# KeyLedger benchmarks${quick ? " (quick smoke run: indicative only)" : ""}`, "", environment()].join("\n");
process.stdout.write(`${header}\n`);
const reports: BenchReport[] = [];
let failed = 0;
for (const name of selected) {
  const { title, run } = runners[name];
  let report: BenchReport;
  try {
    report = await run(context);
  } catch (error) {
    failed++;
    const message = (error as Error).message.split("\n")[0]!;
    context.log(`${name} failed: ${(error as Error).stack ?? message}`);
    report = { name, title, markdown: `**Did not run:** ${message}`, summary: [{ metric: title, value: `did not run: ${message}`, ok: false }] };
  }
  reports.push(report);
  process.stdout.write(`\n## ${report.title}\n\n${report.markdown}\n`);
}
const seconds = (performance.now() - started) / 1000;
const summary = `## Summary\n\n${formatSummary(reports)}\n\n_${selected.length} benchmark(s) in ${seconds.toFixed(0)} s; ${environment()}_`;
process.stdout.write(`\n${summary}\n`);

const dir = fileURLToPath(new URL("../.keyledger/", import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}bench-latest.md`;
writeFileSync(file, [header, "", summary, ...reports.map((r) => `## ${r.title}\n\n${r.markdown}`)].join("\n\n") + "\n");
context.log(`wrote ${file}`);
process.exitCode = failed ? 1 : 0;
