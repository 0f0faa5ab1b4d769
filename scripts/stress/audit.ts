import { spawn } from "node:child_process";

/**
 * Findings of `npm audit --omit=dev` reviewed by hand, by package name: why each
 * one does not put KeyLedger at risk (or what is done about it). A finding
 * missing from here fails the security suite.
 */
export const auditExplanations: Readonly<Record<string, string>> = {};

export type AuditFinding = {
  name: string;
  severity: string;
  /** Advisory titles and URLs, or the packages it comes through. */
  via: string[];
  range: string;
  fixAvailable: boolean;
  explanation: string | undefined;
};

export type AuditReport =
  | { available: true; findings: AuditFinding[]; productionPackages: number }
  | { available: false; reason: string; productionPackages: number };

/**
 * Runs `npm audit --omit=dev --json` (it asks the npm registry's advisory
 * service) and pairs every finding with its explanation. When the registry
 * cannot be asked, says why instead.
 */
export async function runAudit({ cwd = process.cwd(), timeoutMs = 90_000 }: { cwd?: string; timeoutMs?: number } = {}): Promise<AuditReport> {
  const listed = await npm(["ls", "--omit=dev", "--all", "--parseable"], cwd, timeoutMs);
  const productionPackages = new Set(listed.stdout.split("\n").filter((line) => line.includes("node_modules"))).size;
  const audit = await npm(["audit", "--omit=dev", "--json"], cwd, timeoutMs);
  let json: { vulnerabilities?: Record<string, RawVulnerability>; message?: string; error?: { summary?: string } };
  try {
    json = JSON.parse(audit.stdout);
  } catch {
    return { available: false, reason: firstLine(audit.stderr) || `npm audit exited ${audit.code} without a report`, productionPackages };
  }
  if (!json.vulnerabilities) {
    return { available: false, reason: json.message ?? json.error?.summary ?? firstLine(audit.stderr) ?? "no report", productionPackages };
  }
  const findings = Object.values(json.vulnerabilities).map((v) => ({
    name: v.name,
    severity: v.severity,
    via: v.via.map((item) => (typeof item === "string" ? item : `${item.title} (${item.url})`)),
    range: v.range,
    fixAvailable: Boolean(v.fixAvailable),
    explanation: auditExplanations[v.name],
  }));
  return { available: true, findings, productionPackages };
}

type RawVulnerability = { name: string; severity: string; via: (string | { title: string; url: string })[]; range: string; fixAvailable: unknown };

function npm(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim())?.replace(/^npm (warn|error) /, "").trim() ?? "";
}
