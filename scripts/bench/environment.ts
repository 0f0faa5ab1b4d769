import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

/** One line describing where and on what the figures were measured. */
export function environment(): string {
  const cores = cpus();
  let commit = "unknown commit";
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    commit = `commit ${head}${dirty ? " + uncommitted changes" : ""}`;
  } catch {}
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  return `${new Date().toISOString()} · Node ${process.version} · ${cores.length} × ${cores[0]?.model.trim() ?? "unknown CPU"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · load average ${load} · ${commit}`;
}
