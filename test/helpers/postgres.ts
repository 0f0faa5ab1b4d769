import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's PostgreSQL server binaries (`/usr/lib/postgresql/<major>/bin`), newest first; undefined when absent. */
export const postgresBinDir: string | undefined = findBinDir();

/** Why the Postgres tests are skipped on this machine (undefined when they run). */
export const postgresSkipReason: string | undefined = postgresBinDir
  ? undefined
  : "PostgreSQL server binaries are not installed (Debian: `apt-get install -y postgresql`; .ci/run installs them)";

export type PostgresServer = { url: string; port: number; stop(): Promise<void> };

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, socket in its own
 * directory). initdb and postgres refuse to run as root, so as root they run as
 * the `postgres` user (TOOLCHAIN.md's recipe).
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (!postgresBinDir) throw new Error(`Cannot start Postgres: ${postgresSkipReason}`);
  const dir = mkdtempSync(join(tmpdir(), "keyledger-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(dir, 0o700);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(postgresBinDir!, tool), ...args]) : run(join(postgresBinDir!, tool), args);
  const port = await freePort();
  const data = join(dir, "data");
  await pg("initdb", ["-D", data, "-A", "trust", "-U", "keyledger", "--no-sync"]);
  await pg("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  let stopped = false;
  // pg_ctl daemonizes the server: stop it even when the test process exits without stop().
  const onExit = () => {
    if (stopped) return;
    const args = ["-D", data, "-m", "immediate", "-w", "stop"];
    try {
      if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", join(postgresBinDir!, "pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(join(postgresBinDir!, "pg_ctl"), args, { stdio: "ignore" });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  return {
    url: `postgresql://keyledger@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", onExit);
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function findBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return majors.map((v) => join(base, v, "bin")).find((bin) => existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")));
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
