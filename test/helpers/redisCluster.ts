import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { redisServerPath, redisSkipReason } from "./redis.ts";

export { redisSkipReason };

const run = promisify(execFile);

export type ClusterNodeProcess = {
  port: number;
  /** `127.0.0.1:<port>`, the form seed lists take. */
  address: string;
  pid: number;
  /** SIGKILL (a crash) by default; waits for the exit. */
  kill(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  alive(): boolean;
};

export type RedisClusterFixture = {
  nodes: ClusterNodeProcess[];
  /** `redis-cli` against one node, e.g. `cli(port, "CLUSTER", "KEYSLOT", key)`. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Six `redis-server`s on 127.0.0.1 joined into a cluster of three masters with
 * one replica each, AOF fsync'ed on every write, resolved once every node says
 * `cluster_state:ok`. A 1 s node timeout keeps failovers test-sized.
 */
export async function startRedisCluster(): Promise<RedisClusterFixture> {
  if (!redisServerPath) throw new Error(`Cannot start Redis Cluster: ${redisSkipReason}`);
  const cliPath = join(dirname(redisServerPath), "redis-cli");
  const cli = async (port: number, ...args: string[]) =>
    (await run(cliPath, ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 10_000 })).stdout;

  const ports = await clusterPorts(6);
  const dirs: string[] = [];
  const nodes: ClusterNodeProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), `kl-cluster-${port}-`));
      dirs.push(dir);
      nodes.push(await startNode(redisServerPath, port, dir));
    }
    await run(cliPath, ["--cluster", "create", ...nodes.map((n) => n.address), "--cluster-replicas", "1", "--cluster-yes"], {
      timeout: 30_000,
    });
    const deadline = Date.now() + 30_000;
    const waitFor = async (node: ClusterNodeProcess, what: string, ok: () => Promise<boolean>) => {
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`Redis Cluster node ${node.address} never reached ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    for (const node of nodes) {
      await waitFor(node, "cluster_state:ok", async () => (await cli(node.port, "CLUSTER", "INFO")).includes("cluster_state:ok"));
      // A replica that never synced counts its data as too old to take over, so a
      // master killed before then would never fail over.
      await waitFor(node, "a synced replication link", async () => {
        const replication = await cli(node.port, "INFO", "replication");
        return replication.includes("role:master") || replication.includes("master_link_status:up");
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, cli, stop };
}

async function startNode(server: string, port: number, dir: string): Promise<ClusterNodeProcess> {
  const child = spawn(
    server,
    [
      "--bind", "127.0.0.1",
      "--port", String(port),
      "--cluster-enabled", "yes",
      "--cluster-config-file", "nodes.conf",
      "--cluster-node-timeout", "1000",
      "--appendonly", "yes",
      "--appendfsync", "always",
      "--dir", dir,
      "--save", "",
    ],
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
    void exited.then(() => reject(new Error(`redis-server :${port} exited during start-up:\n${output.slice(-2000)}`)));
  });
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    port,
    address: `127.0.0.1:${port}`,
    pid: child.pid as number,
    alive,
    async kill(signal = "SIGKILL") {
      if (alive()) child.kill(signal);
      await exited;
    },
  };
}

/** Ports whose cluster bus port (port + 10000) is free as well. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await listenFree(0);
    if (port + 10_000 >= 65_535 || ports.includes(port)) continue;
    if ((await listenFree(port + 10_000).catch(() => undefined)) === undefined) continue;
    ports.push(port);
  }
  return ports;
}

function listenFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
