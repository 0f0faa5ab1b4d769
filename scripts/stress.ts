// `npm run stress` (after `npm run compile`): the long hardening runs of issue 5,
// each bounded, each printing its figures, then the README section "What we
// tested" written to .keyledger/what-we-tested.md and printed.
//   1. contract invariants: the registry's stateful fuzz, 10,000 operations
//   2. hostile requests, faults, security review (test/hardening, long versions)
//   3. load on the reference server (scripts/stress/load.ts)
// `node scripts/stress.ts --help` for the options.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { reportFigures, saveFigures, type SuiteFigures } from "./stress/figures.ts";
import { runLoad } from "./stress/load.ts";
import { formatWhatWeTested, type RecordedFigures } from "./stress/whatWeTested.ts";

const suites = ["fuzz", "hostile", "faults", "security", "load"] as const;
type Suite = (typeof suites)[number];

const help = `Usage: npm run stress [-- options]   (or: node scripts/stress.ts [options], after npm run compile)

Runs the long hardening suites and writes .keyledger/what-we-tested.md:
  fuzz      KeyRegistry stateful fuzz, KEYLEDGER_FUZZ_OPS operations (default 10,000)
  hostile   hostile requests against the verifier and the HTTP adapter (KEYLEDGER_HOSTILE_RUNS, default 60,000)
  faults    RPC outage, node replaced, reorg, Redis killed under load, verifier restarts
  security  secrets in output/logs/URLs/bundle, key file modes, CSP, npm audit
  load      the reference server under load (--duration seconds, default 20)

Options:
  --only <list>     comma-separated suites to run (the others keep their last figures)
  --duration <s>    sustained load duration in seconds (default 20)
  -h, --help
`;

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const stateDir = resolve(process.env.KEYLEDGER_STATE_DIR ?? join(root, ".keyledger"));
const figuresDir = join(stateDir, "stress");

async function main(): Promise<number> {
  let values: { only?: string; duration?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { only: { type: "string" }, duration: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const selected = (values.only?.split(",").map((s) => s.trim()) ?? [...suites]) as Suite[];
  const unknown = selected.filter((s) => !suites.includes(s));
  if (unknown.length) {
    process.stderr.write(`Unknown suite(s): ${unknown.join(", ")}. Suites: ${suites.join(", ")}.\n`);
    return 2;
  }
  const duration = Number(values.duration ?? 20);
  // Requests are signed ahead and must still be inside the verifier's longest window (300 s) when sent.
  if (!(duration > 0 && duration <= 120)) {
    process.stderr.write("--duration must be 1..120 seconds.\n");
    return 2;
  }
  mkdirSync(figuresDir, { recursive: true });
  // reportFigures (here and in the suites' processes) writes each suite's figures there.
  process.env.KEYLEDGER_FIGURES_DIR = figuresDir;
  for (const suite of selected) rmSync(join(figuresDir, `${suite}.json`), { force: true });
  const env = { ...process.env, KEYLEDGER_STRESS: "1", KEYLEDGER_FIGURES_DIR: figuresDir, NO_COLOR: "1", FORCE_COLOR: "0" };
  const failures: string[] = [];
  const started = performance.now();

  if (selected.includes("fuzz")) {
    banner("contract invariants: KeyRegistry stateful fuzz");
    const ops = process.env.KEYLEDGER_FUZZ_OPS ?? "10000";
    const run = await runTests(["test/contracts/registryFuzz.test.ts"], { ...env, KEYLEDGER_FUZZ_OPS: ops });
    const figures = fuzzFigures(run.output);
    if (figures) saveFigures(figures);
    if (run.code !== 0 || !figures) failures.push(`fuzz: ${figures ? `vitest exited ${run.code}` : "no figures printed"}`);
  }

  const hardening = (["hostile", "faults", "security"] as const).filter((s) => selected.includes(s));
  if (hardening.length) {
    banner(`hardening suites: ${hardening.join(", ")}`);
    const files = { hostile: "test/hardening/hostileRequests.test.ts", faults: "test/hardening/faults.test.ts", security: "test/hardening/security.test.ts" };
    const run = await runTests(hardening.map((s) => files[s]), env);
    if (run.code !== 0) failures.push(`hardening suites: vitest exited ${run.code}`);
    for (const suite of hardening) if (!read(suite)) failures.push(`${suite}: no figures written`);
  }

  if (selected.includes("load")) {
    banner(`load: the reference server for ${duration} s`);
    // Signed ahead generously: the phase ends at its duration, not when they run out.
    const report = await runLoad({
      durationMs: duration * 1000,
      connections: 32,
      validRequests: Math.ceil(duration * 5_000),
      bounded: { maxEntries: 20_000, validRequests: 40_000 },
      log: (line) => console.log(line),
    });
    reportFigures(report.figures);
    const { sustained: s, bounded: b } = report;
    if (s.wrong || b.wrong || s.notExactlyOnce || b.notExactlyOnce) failures.push(`load: ${s.wrong + b.wrong} wrong verdicts, ${s.notExactlyOnce + b.notExactlyOnce} not exactly once`);
  }

  const hostile = read("hostile");
  if (hostile && ((hostile.data.accepted as number) > 0 || (hostile.data.crashed as number) > 0)) failures.push("hostile: a hostile request was accepted or crashed the verifier");

  const figures = Object.fromEntries(suites.map((s) => [s, read(s)]));
  const cpu = cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  const markdown = formatWhatWeTested({ figures, environment: `${cpus().length} vCPU ${cpu}, Node ${process.versions.node}, ${process.platform}, ${new Date().toISOString().slice(0, 10)}` });
  const out = join(stateDir, "what-we-tested.md");
  writeFileSync(out, markdown);
  banner(`What we tested (written to ${out})`);
  console.log(markdown);
  console.log(`\nkeyledger stress: ${((performance.now() - started) / 1000).toFixed(0)} s, ${failures.length ? `FAILED: ${failures.join("; ")}` : "all suites held"}`);
  return failures.length ? 1 : 0;
}

function banner(text: string): void {
  console.log(`\n=== ${text} ===\n`);
}

function read(suite: Suite): RecordedFigures | undefined {
  try {
    return JSON.parse(readFileSync(join(figuresDir, `${suite}.json`), "utf8")) as RecordedFigures;
  } catch {
    return undefined;
  }
}

/** Runs vitest through scripts/test.ts, showing its output as it comes and keeping it. */
function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, "scripts/test.ts"), ...files], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.once("close", (code) => done({ code, output }));
  });
}

/** The fuzz test's printed figures (it owns them; we only pick them up). */
function fuzzFigures(output: string): SuiteFigures | undefined {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.startsWith("registry fuzz (seed"));
  if (start === -1) return undefined;
  const block = [lines[start]!];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("  ")) break;
    block.push(line.trim());
  }
  const number = (pattern: RegExp) => Number(pattern.exec(block.join("\n"))?.[1]?.replace(/,/g, "") ?? Number.NaN);
  const figures: SuiteFigures = {
    suite: "fuzz",
    title: block[0]!,
    lines: block.slice(1),
    data: {
      ops: number(/(\d[\d,]*) operations/),
      actors: number(/from (\d+) actors/),
      applied: number(/(\d[\d,]*) applied/),
      refused: number(/(\d[\d,]*) refused/),
      seconds: number(/, ([\d.]+) s$/m),
    },
  };
  return figures;
}

process.exitCode = await main();
