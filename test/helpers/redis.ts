import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Path of the `redis-server` binary, or undefined when this machine has none. */
export const redisServerPath: string | undefined = findRedisServer();

/** Why the Redis tests are skipped on this machine (undefined when they run). */
export const redisSkipReason: string | undefined = redisServerPath
  ? undefined
  : process.env.REDIS_SERVER
    ? `REDIS_SERVER=${process.env.REDIS_SERVER} is not an executable`
    : "redis-server is not installed (Debian: `apt-get install -y redis-server`; .ci/run installs it)";

export type StartRedisParameters = {
  /** Reuse a port, e.g. to restart a stopped server where clients expect it. Default: a free port. */
  port?: number | undefined;
};

export type RedisServer = {
  url: string;
  port: number;
  /** Process id, e.g. to freeze the server with SIGSTOP. */
  pid: number;
  /** Stops the server (SIGTERM, or SIGKILL to simulate a crash) and waits for it to exit. */
  stop(options?: { signal?: "SIGTERM" | "SIGKILL" }): Promise<void>;
};

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts a throwaway `redis-server` on 127.0.0.1 (no persistence, not daemonized,
 * so it dies with the test process) and resolves once it accepts connections.
 */
export async function startRedis({ port: wanted }: StartRedisParameters = {}): Promise<RedisServer> {
  if (!redisServerPath) throw new Error(`Cannot start Redis: ${redisSkipReason}`);
  const port = wanted ?? (await freePort());
  const child = spawn(
    redisServerPath,
    ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", tmpdir(), "--loglevel", "notice"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    void exited.then(() => reject(new Error(`redis-server exited during start-up:\n${output.slice(-2000)}`)));
  });
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    async stop({ signal = "SIGTERM" } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill(signal);
      }
      await exited;
    },
  };
}

/** `REDIS_SERVER=/path/to/redis-server` picks a binary (and, pointed at nothing, shows the skip path). */
function findRedisServer(): string | undefined {
  const dirs = ["/usr/bin", "/usr/local/bin", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  const candidates = process.env.REDIS_SERVER ? [process.env.REDIS_SERVER] : dirs.map((dir) => join(dir, "redis-server"));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
