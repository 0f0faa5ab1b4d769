import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The Prometheus server binary: $KEYLEDGER_PROMETHEUS when set, else `prometheus` on
 * PATH or /usr/bin/prometheus (Debian's `prometheus` package); undefined when it does not run here.
 */
export const prometheusBinary: string | undefined = findBinary();

/** Why the tests that need a real Prometheus server are skipped on this machine (undefined when they run). */
export const prometheusSkipReason: string | undefined = prometheusBinary
  ? undefined
  : `the Prometheus server is not installed or does not run (\`${process.env.KEYLEDGER_PROMETHEUS || "prometheus"} --version\` failed; Debian: \`apt-get install -y prometheus\`, which .ci/run installs for promtool)`;

export type StartPrometheusParameters = {
  /** `host:port` targets scraped at `/metrics` as job "keyledger-api". */
  targets: string[];
  /** Rule files as text, by file name; written next to the generated prometheus.yml and loaded with `rule_files:`. */
  rules: Record<string, string>;
  /** scrape_interval and evaluation_interval, seconds. Default 1. */
  intervalSeconds?: number | undefined;
  /** How long to wait for `/-/ready`. Default 20 s. */
  readyTimeoutMs?: number | undefined;
};

export type PrometheusAlert = {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
};

export type PrometheusServer = {
  /** http://127.0.0.1:port */
  url: string;
  /** Active (pending or firing) alerts, from `GET /api/v1/alerts`; resolved alerts are absent. */
  alerts(): Promise<PrometheusAlert[]>;
  /** The `data` of a successful `GET /api/v1/<path>` (e.g. "rules", "targets"). */
  api<T = unknown>(path: string): Promise<T>;
  /** Instant query at the server's now, from `GET /api/v1/query`. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server and removes its directory (config, rules, TSDB); safe to call more than once. */
  stop(): Promise<void>;
};

/**
 * A real Prometheus server on a free 127.0.0.1 port, with a generated config
 * (short scrape and evaluation intervals), the given rule files and a throwaway
 * TSDB in a temporary directory. Call `stop()` in afterAll; the server is also
 * killed when the test process exits.
 */
export async function startPrometheus({ targets, rules, intervalSeconds = 1, readyTimeoutMs = 20_000 }: StartPrometheusParameters): Promise<PrometheusServer> {
  if (!prometheusBinary) throw new Error(`Cannot start Prometheus: ${prometheusSkipReason}`);
  const dir = mkdtempSync(join(tmpdir(), "keyledger-prometheus-"));
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
  const config = [
    "global:",
    `  scrape_interval: ${intervalSeconds}s`,
    `  scrape_timeout: ${intervalSeconds}s`,
    `  evaluation_interval: ${intervalSeconds}s`,
    "rule_files:",
    ...Object.keys(rules).map((name) => `  - ${JSON.stringify(join(dir, name))}`),
    "scrape_configs:",
    "  - job_name: keyledger-api",
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);
  const logPath = join(dir, "prometheus.log");
  const readLog = () => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };

  // The free port may be taken between the probe and Prometheus's bind: try a few.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const logFd = openSync(logPath, "a");
    const child = spawn(
      prometheusBinary,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { cwd: dir, stdio: ["ignore", logFd, logFd] },
    );
    closeSync(logFd);
    let exitCode: number | string | null | undefined;
    const exited = new Promise<void>((done) =>
      child.once("exit", (code, signal) => {
        exitCode = code ?? signal;
        done();
      }),
    );
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + readyTimeoutMs;
    let ready = false;
    while (!ready && exitCode === undefined && Date.now() < deadline) {
      ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) {
      let stopped = false;
      const api = async <T>(path: string): Promise<T> => {
        const body = (await (await fetch(`${url}/api/v1/${path}`, { signal: AbortSignal.timeout(5_000) })).json()) as { status: string; data: T };
        if (body.status !== "success") throw new Error(`GET /api/v1/${path}: ${JSON.stringify(body)}`);
        return body.data;
      };
      return {
        url,
        api,
        alerts: async () => (await api<{ alerts: PrometheusAlert[] }>("alerts")).alerts,
        query: async (expr) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent(expr)}`)).result,
        log: readLog,
        async stop() {
          if (stopped) return;
          stopped = true;
          process.off("exit", kill);
          if (exitCode === undefined) {
            child.kill("SIGTERM");
            const timer = setTimeout(kill, 5_000);
            await exited;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    process.off("exit", kill);
    if (exitCode === undefined) {
      kill();
      await exited;
    }
    lastError = new Error(
      `Prometheus did not become ready on ${url} (${exitCode === undefined ? `timeout after ${readyTimeoutMs} ms` : `exited ${exitCode}`}). Log:\n${readLog().slice(-4_000)}`,
    );
    // Only a lost port race is worth another attempt.
    if (!/address already in use/i.test(readLog())) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function findBinary(): string | undefined {
  const override = process.env.KEYLEDGER_PROMETHEUS;
  for (const candidate of override ? [override] : ["prometheus", "/usr/bin/prometheus"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore", timeout: 10_000 });
      return candidate;
    } catch {}
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
