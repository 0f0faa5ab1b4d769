import { count, type SuiteFigures } from "./figures.ts";

export type RecordedFigures = SuiteFigures & { ranAt?: string | undefined };

export type FormatWhatWeTestedParameters = {
  /** Figures by suite: fuzz, hostile, faults, load, security. */
  figures: Readonly<Record<string, RecordedFigures | undefined>>;
  /** e.g. "2 vCPU Xeon, Node 22.23, Linux". */
  environment: string;
};

const order: [suite: string, heading: string][] = [
  ["fuzz", "Contract invariants (stateful fuzz)"],
  ["hostile", "Verifier under hostile input"],
  ["faults", "Faults (real processes)"],
  ["load", "Load (reference server, loopback)"],
  ["security", "Security review (CLI, dev stack, dApp, dependencies)"],
];

/** The README section "What we tested", from the figures of the latest runs. */
export function formatWhatWeTested({ figures, environment }: FormatWhatWeTestedParameters): string {
  const rows: string[] = [];
  for (const [suite, heading] of order) {
    const f = figures[suite];
    rows.push(`| ${heading} | ${f ? summary(suite, f) : "not run"} |`);
  }
  const out = [
    "## What we tested",
    "",
    `Figures of the latest \`npm run stress\` (${environment}). \`npm test\` runs short versions of the same suites (a few thousand hostile requests, a 3 s load) and asserts the same verdicts.`,
    "",
    "| Suite | Result |",
    "|---|---|",
    ...rows,
  ];
  for (const [suite, heading] of order) {
    const f = figures[suite];
    if (!f) continue;
    out.push("", `### ${heading}`, "", `${f.title}${f.ranAt ? ` (run ${f.ranAt})` : ""}`, "", ...f.lines.map((line) => `${line.startsWith("  ") ? "  " : ""}- ${line.trim()}`));
  }
  out.push(
    "",
    "### Known limits",
    "",
    "- Memory nonce store: a restarted verifier forgets its nonces, so a request captured before the restart can be replayed until its window closes (maxAgeSeconds + clockSkewSeconds). Use the Redis store for several processes or when that matters (shown by the fault suite).",
    "- Redis nonce store: a Redis that restarts without persistence forgets too; run it with `appendonly yes` and `appendfsync always` (the fault suite kills such a Redis under load and every earlier request stays a replay).",
    "- Chain state: after the RPC endpoint goes away, keys are still judged from the index until it is older than `maxStalenessSeconds` (default 30 s); then every request gets 503 stale-chain-state until the index catches up.",
    "",
  );
  return out.join("\n");
}

function summary(suite: string, f: RecordedFigures): string {
  const d = f.data as Record<string, any>;
  switch (suite) {
    case "fuzz":
      return `${count(d.ops)} random operations from ${d.actors} actors (${count(d.applied)} applied, ${count(d.refused)} refused with the predicted error), every invariant held`;
    case "hostile":
      return `${count(d.tried)} hostile requests (${count(d.verifyHostile)} through \`verify\`, ${count(d.httpHostile)} raw HTTP): **${count(d.accepted)} accepted, ${count(d.crashed)} crashed**, ${count(d.wrongReason ?? 0)} with an unexpected reason`;
    case "faults":
      return `${Object.keys(d).length} scenarios (RPC outage, node replaced by a new chain, reorg, Redis killed under load, verifier processes killed): no acceptance while chain or nonce state was unknown, recovery without a restart; the two restart limits below shown as documented`;
    case "load": {
      const s = d.sustained;
      const b = d.bounded;
      return `${count(s.requestsPerSecond)} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms over ${s.seconds.toFixed(0)} s; **${s.wrong + b.wrong} wrong verdicts**; server RSS ${s.memory.rssMB.secondHalf.min}..${s.memory.rssMB.secondHalf.max} MB over the second half, heap ${s.memory.heapUsedMB.min}..${s.memory.heapUsedMB.max} MB; a bounded nonce store fails closed at ${count(b.maxEntries)} entries`;
    }
    case "security": {
      const parts = [
        d.keyFiles && `key files ${d.keyFiles.cliMode} whatever the umask`,
        d.logs && `0 secrets in ${d.logs.cliRuns} CLI runs and ${d.logs.logFiles} dev-stack logs`,
        d.urls && `0 in ${d.urls.requests} signed requests on the wire`,
        d.bundle && "0 in the dApp bundle",
        d.csp && "strict CSP (header and meta)",
        d.audit && (d.audit.available ? `npm audit: ${d.audit.findings.length} findings, all explained` : "npm audit: could not reach the advisory service"),
      ];
      return parts.filter(Boolean).join("; ");
    }
    default:
      return f.title;
  }
}
