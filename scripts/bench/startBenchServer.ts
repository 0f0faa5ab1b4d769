import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchServerConfig, BenchServerMessage } from "./serverProcess.ts";

export type BenchServer = {
  url: string;
  /** CPU seconds the server process has used so far (all its threads) and its RSS. */
  usage(): Promise<{ cpuSeconds: number; rssBytes: number }>;
  stop(): Promise<void>;
};

const entry = fileURLToPath(new URL("./serverProcess.ts", import.meta.url));

/** Starts the reference API server in a child process (see serverProcess.ts) and waits until it listens. */
export async function startBenchServer(config: BenchServerConfig): Promise<BenchServer> {
  const child = fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench server did not start within 20 s")), 20_000);
    child.once("message", (message: BenchServerMessage) => {
      clearTimeout(timer);
      if (message.type === "ready") resolve(message.url);
      else reject(new Error(`bench server: ${message.type === "error" ? message.message : message.type}`));
    });
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code} during start-up`)));
    child.send(config);
  });
  return {
    url,
    usage: () =>
      new Promise((resolve) => {
        const onMessage = (message: BenchServerMessage) => {
          if (message.type !== "usage") return;
          child.off("message", onMessage);
          resolve({ cpuSeconds: message.cpuSeconds, rssBytes: message.rssBytes });
        };
        child.on("message", onMessage);
        child.send({ type: "usage" });
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ type: "stop" });
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
